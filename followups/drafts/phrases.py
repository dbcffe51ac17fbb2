"""The phrase patterns the checker looks for: thanks, a feedback request, renewed interest,
and the article's common mistakes (emotional and demanding phrasing)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


THANKS_RE = re.compile(r"\b(thank\w*|grateful|gratitude|appreciat\w*|many thanks)\b", re.I)
FEEDBACK_REQUEST_RE = re.compile(
    r"\b(feedback|insights?|advice|pointers|suggestions|thoughts on|"
    r"(?:what|where|how) I (?:could|might|can|should) (?:do |have done )?(?:better|improve)|"
    r"areas? (?:to|for|of) improve(?:ment)?)\b",
    re.I,
)
INTEREST_RE = re.compile(
    r"\b(interest(?:ed)?|keen|excited|enthusiastic|eager|"
    r"future (?:opportunit\w+|openings?|roles?|positions?|vacanc\w+)|"
    r"consider(?:ed)? (?:me )?for|(?:be|being) considered|keep me in mind|apply again|"
    r"on my list|think of me|"
    r"(?:stay|keep) in touch|stay connected|paths cross|great match|"
    r"would (?:love|like) to (?:join|work))\b",
    re.I,
)

# "Overly emotional responses": shock, protest of fairness, self-praise over the winner,
# strong feelings, contempt, shouting. Polite disappointment is not on the list.
EMOTIONAL_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        r"\bcan(?:'t|not| not)\s+believe\b|\bunbelievable\b|\bshocked\b",
        "Disbelief reads as a protest against their decision; acknowledge it calmly.",
    ),
    (
        r"\b(?:so |completely |totally |really |very |deeply |extremely )?unfair\w*|"
        r"\bnot (?:been )?fair\b|\binjustice\b",
        "Calling the decision unfair protests it; the decision is made, keep the door open.",
    ),
    (
        r"\bI(?:'m| am| was| were|'d be| would be| would have been)\s+"
        r"(?:clearly |definitely |obviously |easily |by far |simply |surely )?"
        r"(?:the )?(?:best|strongest|perfect|ideal|most qualified|obvious|only)"
        r"(?:\s+(?:candidate|fit|choice|person|one|applicant|match))?\b",
        "Claiming you were the best candidate sounds like a complaint about the outcome.",
    ),
    (
        r"\bI deserved\b|\bI should have (?:been|got|gotten|had)\b[^.?!\n]{0,20}?"
        r"\b(?:chosen|selected|picked|hired|job|role|offer|position|it|this)\b",
        "Saying it should have been you protests the outcome; let it go in the message.",
    ),
    (
        r"\b(?:devastat\w*|heartbroken|crushed|gutted|furious|outraged|livid|angry|"
        r"upset|insulted|humiliated|bitter(?:ly)?|frustrat\w*)\b",
        "Strong feelings belong in your notes, not in the message; keep the tone positive.",
    ),
    (
        r"\b(?:ridiculous|absurd|outrageous|insulting|disgraceful|pathetic|shameful|"
        r"a joke|a farce|a sham|nonsense)\b",
        "Contempt for their process burns the bridge you are trying to keep.",
    ),
    (
        r"\bwaste(?:d)? (?:of )?(?:my |our )?time\b|\bhow (?:could|dare) you\b|\bI hate\b|"
        r"\bpissed\b|\bsucks\b|\bregret (?:this|it|your decision)\b|"
        r"\b(?:utterly|terribly|beyond|bitterly) disappointed\b",
        "This reads as an outburst; say you are disappointed once, politely, or not at all.",
    ),
    (r"[!?]{2,}", "Several ! or ? in a row read as shouting."),
)
# Shouting in capitals is case-sensitive: three all-caps words in a row.
SHOUTING_RE = re.compile(r"\b[A-Z]{2,}(?:[ ,]+[A-Z']{2,}){2,}\b")

# "Being too persistent or aggressive": asking them to justify the decision, demanding
# reasons, comparing yourself with the person they hired, asking them to reverse it,
# blaming, time pressure and repeated chasing.
DEMANDING_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        r"\b(?:do not|don't|dont|can't|cannot|fail to) (?:understand|see|get|know) why\b|"
        # "I understand why you chose…" is gracious; "why was I not chosen" is not.
        r"(?<!understand )(?<!see )(?<!know )\bwhy\b[^.?!\n]{0,60}?"
        r"\b(?:chosen|selected|picked|hired|rejected|turned down|"
        r"passed over|choose|chose|select|pick|hire|reject|went with|go with)\b",
        "Asking them to justify the decision puts them on the defensive; ask what you could "
        "improve instead.",
    ),
    (
        r"\b(?:specific|exact|precise|detailed|concrete|real|actual|full|clear) "
        r"(?:reasons?|explanation|justification)\b|"
        r"\b(?:demand|insist on|deserve|expect|need|want|require|owe me)\s+"
        r"(?:a |an |the |some )?(?:proper |full |clear )?"
        r"(?:explanation|reasons?|answers?|justification|response|reply)\b|"
        r"\b(?:explain|justify) (?:why|your decision|the decision|yourself)\b|"
        r"\bI (?:demand|insist|deserve)\b|\byou owe me\b|\bI need to know why\b|"
        r"\bwhy not me\b|\bgive me (?:a |the |one )?(?:good |real |single )?reasons?\b|"
        r"\bwhat did (?:the other|the successful|the selected|they|he|she)\b[^.?!\n]{0,40}?"
        r"\bhave that I\b",
        "Demanding reasons sounds aggressive; politely ask for any feedback they can share.",
    ),
    (
        r"\b(?:better|stronger|more (?:qualified|experienced|suitable|capable|skilled)|"
        r"superior)(?: (?:fit|candidate|choice|match|qualified|suited))? than "
        r"(?:the|whoever|whomever|him|her|them|anyone|anybody|someone|somebody|everyone|"
        r"other|your|that|this|any)\b",
        "Comparing yourself with the person they chose questions their judgement.",
    ),
    (
        r"\breconsider\b|\b(?:wrong|bad|poor|terrible|huge) (?:decision|choice|call)\b|"
        r"\byou(?:'ve| have)? made (?:a |the )?(?:big |huge |serious |terrible )?mistake\b|"
        r"\byou(?:'re| are) making (?:a |the )?(?:big |huge |serious |terrible )?mistake\b|"
        r"\bthis (?:is|was) (?:a |the )?(?:big |huge |serious |terrible )?mistake\b|"
        r"\b(?:overturn|reverse|change) (?:your|the) (?:decision|mind)\b",
        "Asking them to reverse the decision pushes too hard; accept it gracefully.",
    ),
    (
        r"\b(?:unprofessional|biased|bias|discriminat\w*|rigged|incompetent|rude|"
        r"disrespectful)\b|\byour (?:fault|mistake|loss)\b|"
        r"\byou (?:didn't|did not|never) (?:even |bother to |properly )?"
        r"(?:give|read|look|listen|ask|consider|bother|care)\b",
        "Blaming them or their process will be remembered; keep it gracious.",
    ),
    (
        # Only about their answer: "I can start immediately" is no pressure at all.
        r"\basap\b|\bexpect to hear\b|"
        r"\b(?:reply|respond|answer|get back to me|hear back|let me know|need (?:an? |your )?"
        r"(?:answer|reply|response|decision))\b[^.?!\n]{0,30}?"
        r"(?:\bas soon as possible|\bimmediately|\bright away|\bwithout delay|\burgently|"
        r"\bby (?:the end of )?(?:today|tomorrow|tonight|monday|tuesday|wednesday|thursday|"
        r"friday|end of (?:the )?(?:day|week)))\b",
        "Setting them a deadline is pushy; they owe you nothing, so leave the timing to them.",
    ),
    (
        r"\bthis is my (?:second|third|fourth|fifth|\d+(?:st|nd|rd|th)|last) "
        r"(?:email|message|attempt|time|request)\b|"
        r"\b(?:emailed|written|messaged|contacted|called|asked) (?:you )?"
        r"(?:several|multiple|many|numerous|three|four|five|a few|so many) times\b|"
        r"\bstill (?:waiting|have not heard|haven't heard|no (?:reply|response|answer))\b|"
        r"\b(?:never|still haven't|still have not|haven't even|have not even) "
        r"(?:replied|responded|answered|got back|gotten back)\b|"
        r"\bdespite (?:my )?(?:several|multiple|many|previous|repeated) "
        r"(?:emails|messages|attempts|requests)\b|"
        r"\bkeep (?:emailing|calling|writing|messaging|following up)\b|"
        r"\bbeen waiting (?:for )?(?:weeks|days|months|ages|so long)\b",
        "Chasing again and again comes across as pressure; one polite nudge is enough.",
    ),
)

EMOTIONAL_RES = [(re.compile(p, re.I), m) for p, m in EMOTIONAL_PATTERNS]
DEMANDING_RES = [(re.compile(p, re.I), m) for p, m in DEMANDING_PATTERNS]
