"""Reply drafts: choosing a template, filling its placeholders, and checking a draft.

- `render_draft(followup)` is what the rules engine calls when it creates a follow-up:
  the user's override for the kind if they have one, else the built-in variant.
- `fill_placeholders(text, values)` replaces the bracket placeholders it knows. It is a
  single regex pass over plain text: user text never goes through the Django template
  engine, so `{{ … }}` and `{% … %}` stay literal, and filled values are not re-scanned.
- `check_draft(body, …)` (contract) returns named findings for what the reference
  article warns about: unfilled placeholders, length, missing thanks / feedback request /
  renewed interest, emotional or demanding phrasing, and lateness.
- `mailto_url(…)` builds the "Open in mail client" link.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import quote

from django.utils import timezone
from django.utils.timesince import timesince

from followups.template_library import (
    OCCASION_FEEDBACK,
    OCCASION_INTERVIEW,
    BuiltinTemplate,
    builtin,
    variants_for,
)

if TYPE_CHECKING:
    from followups.models import FollowUp, ReplyTemplate

# Placeholders ------------------------------------------------------------------------

# A bracketed label on one line, without nested brackets: "[Hiring Manager’s Name]".
PLACEHOLDER_RE = re.compile(r"\[([^\[\]\n]{1,100})\]")

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})

# The labels people write for each value, after `normalize_label` (lower case, straight
# apostrophes, possessive "'s" dropped, punctuation turned into single spaces).
PLACEHOLDER_SYNONYMS: dict[str, tuple[str, ...]] = {
    "first_name": (
        "first name",
        "name",
        "contact name",
        "contact first name",
        "hiring manager",
        "hiring manager name",
        "hiring manager first name",
        "recruiter",
        "recruiter name",
        "recruiter first name",
        "interviewer",
        "interviewer name",
        "interviewer first name",
        "manager name",
        "their name",
        "their first name",
        "recipient name",
        "recipient first name",
    ),
    "full_name": (
        "full name",
        "contact full name",
        "hiring manager full name",
        "recruiter full name",
        "interviewer full name",
        "their full name",
        "recipient full name",
        "first and last name",
        "first name last name",
    ),
    "last_name": ("last name", "surname", "family name", "contact last name"),
    "contact_title": ("their title", "their job title", "contact title", "contact job title"),
    "company": (
        "company",
        "company name",
        "organization",
        "organisation",
        "organization name",
        "organisation name",
        "employer",
        "employer name",
        "business name",
        "team name",
    ),
    "job_title": (
        "job title",
        "job",
        "job name",
        "position",
        "position title",
        "position name",
        "role",
        "role title",
        "role name",
        "job position",
        "title",
    ),
    "your_name": (
        "your name",
        "your full name",
        "my name",
        "my full name",
        "sender name",
        "your first and last name",
    ),
    "your_first_name": ("your first name", "my first name"),
    "signature": ("signature", "your signature", "my signature", "email signature"),
    "your_email": (
        "your email",
        "your email address",
        "my email",
        "my email address",
        "your e mail",
    ),
}

# What each value is, for the message when it cannot be filled.
PLACEHOLDER_SOURCES: dict[str, str] = {
    "first_name": "this follow-up has no contact",
    "full_name": "this follow-up has no contact",
    "last_name": "the contact has no last name",
    "contact_title": "the contact has no job title",
    "company": "neither the application nor the contact has a company",
    "job_title": "this follow-up has no application",
    "your_name": "your account has no first and last name",
    "your_first_name": "your account has no first name",
    "signature": "your preferences have no signature and your account no name",
    "your_email": "your account has no email address",
}

_LABEL_TO_KEY = {label: key for key, labels in PLACEHOLDER_SYNONYMS.items() for label in labels}


def normalize_label(label: str) -> str:
    """`[Hiring Manager’s Name]`, `[hiring manager's name]` and `[HIRING_MANAGER NAME]`
    all come out as `hiring manager name`."""
    label = label.translate(_APOSTROPHES).lower()
    label = re.sub(r"'s\b", "", label)
    return re.sub(r"[^a-z0-9]+", " ", label).strip()


def placeholder_key(label: str) -> str | None:
    """The value a bracket label stands for (`"company"`), or None for a personal one."""
    return _LABEL_TO_KEY.get(normalize_label(label))


def fill_placeholders(text: str, values: dict[str, str]) -> str:
    """`text` with every known placeholder that has a value replaced by it.

    Unknown placeholders, and known ones without a value, stay as they are for the user
    to fill (the checker flags them).
    """

    def replace(match: re.Match[str]) -> str:
        key = placeholder_key(match.group(1))
        value = values.get(key, "") if key else ""
        return value if value else match.group(0)

    return PLACEHOLDER_RE.sub(replace, text)


def placeholder_values(followup: FollowUp) -> dict[str, str]:
    """The values known for `followup`, from its contact, application, company and owner."""
    from crm.models import Profile

    # The relations, not their ids: a draft may be rendered for unsaved rows.
    contact = followup.contact
    application = followup.application
    company = None
    if application is not None:
        company = application.company
    elif contact is not None:
        company = contact.company
    owner = followup.owner
    your_name = owner.get_full_name().strip()
    values = {
        "first_name": contact.first_name.strip() if contact else "",
        "last_name": contact.last_name.strip() if contact else "",
        "full_name": contact.full_name if contact else "",
        "contact_title": contact.title.strip() if contact else "",
        "company": company.name.strip() if company else "",
        "job_title": application.title.strip() if application else "",
        "your_name": your_name,
        "your_first_name": owner.first_name.strip(),
        "signature": Profile.for_user(owner).signature.strip() or your_name,
        "your_email": owner.email.strip(),
    }
    return {key: value for key, value in values.items() if value}


# Choosing the template ---------------------------------------------------------------


class TemplateText(NamedTuple):
    subject: str
    body: str
    channel: str
    variant: str
    is_override: bool


def occasion_of(followup: FollowUp) -> str:
    """Which thank-you this is: after an interview (R7) or after feedback (R4)."""
    if followup.kind != "thank_you":
        return ""
    # `source` rather than `source_id`: the rules render drafts before saving anything.
    source = followup.source
    if source is not None and source.kind == "interview":
        return OCCASION_INTERVIEW
    return OCCASION_FEEDBACK


def user_override(owner, kind: str) -> ReplyTemplate | None:
    from followups.models import ReplyTemplate

    if owner is None or owner.pk is None:
        return None
    return ReplyTemplate.objects.filter(owner=owner, kind=kind).first()


def _override_applies(override: ReplyTemplate, occasion: str) -> bool:
    # A thank-you override based on the interview variant must not answer feedback (and
    # the other way round); one written from scratch applies to both.
    if not occasion:
        return True
    based_on = builtin(override.kind, override.variant)
    same_variant = based_on.variant == override.variant
    return not same_variant or not based_on.occasion or based_on.occasion == occasion


def choose_template(followup: FollowUp, *, variant: str | None = None) -> TemplateText:
    """The user's override for the kind, else the built-in `variant` (else the default).

    Passing `variant` asks for that built-in even when an override exists.
    """
    occasion = occasion_of(followup)
    if not variant:
        override = user_override(followup.owner, followup.kind)
        if override is not None and _override_applies(override, occasion):
            return TemplateText(
                override.subject, override.body, override.channel, override.variant, True
            )
    template: BuiltinTemplate = builtin(followup.kind, variant, occasion=occasion)
    return TemplateText(template.subject, template.body, template.channel, template.variant, False)


def fill_for(followup: FollowUp, subject: str, body: str) -> tuple[str, str]:
    """`subject` and `body` with the placeholders filled from `followup`."""
    values = placeholder_values(followup)
    return fill_placeholders(subject, values), fill_placeholders(body, values)


def render_draft(followup: FollowUp, *, variant: str | None = None) -> tuple[str, str]:
    """Subject and body of the draft for `followup`, filled from its contact and profile."""
    template = choose_template(followup, variant=variant)
    return fill_for(followup, template.subject, template.body)


def channel_of(followup: FollowUp) -> str:
    """Where the draft is sent: LinkedIn for connection notes, email otherwise."""
    return "linkedin" if followup.kind == "connect" else "email"


def save_draft(followup: FollowUp, subject: str, body: str) -> None:
    """Keeps the user's edited draft on the follow-up (the reminder email shows it)."""
    followup.draft_subject, followup.draft_body = subject, body
    followup.save(update_fields=["draft_subject", "draft_body", "updated_at"])


def initial_draft(followup: FollowUp, *, start: str | None = None) -> tuple[str, str]:
    """What the editor opens with: the saved draft, or a fresh one when asked to start
    again from the user's template (`start="mine"`) or a built-in variant."""
    variants = {t.variant for t in variants_for(followup.kind)}
    if start == "mine":
        return render_draft(followup)
    if start in variants:
        return render_draft(followup, variant=start)
    if followup.draft_body.strip():
        return followup.draft_subject, followup.draft_body
    return render_draft(followup)


# Template preview ---------------------------------------------------------------------

# Stands in for a contact when the user has no follow-up to preview against yet.
EXAMPLE_VALUES = {
    "first_name": "Sam",
    "last_name": "Rivera",
    "full_name": "Sam Rivera",
    "contact_title": "Talent Partner",
    "company": "Example Labs",
    "job_title": "Product Designer",
}


def preview_followups(user, kind: str) -> list[FollowUp]:
    """The user's follow-ups to preview a template against: that kind first, newest first."""
    from followups.models import FollowUp

    queryset = FollowUp.objects.filter(owner=user).select_related(
        "contact", "application__company", "source"
    )
    same_kind = list(queryset.filter(kind=kind).order_by("-created_at")[:10])
    return same_kind or list(queryset.order_by("-created_at")[:10])


def preview(user, kind: str, subject: str, body: str, *, sample: str | None) -> dict:
    """The template filled for one of the user's follow-ups (or an example), checked."""
    from followups.models import FollowUp

    candidates = preview_followups(user, kind)
    chosen = next((f for f in candidates if str(f.pk) == (sample or "")), None)
    chosen = chosen or (candidates[0] if candidates else None)
    if chosen is not None:
        values = placeholder_values(chosen)
    else:
        values = {**EXAMPLE_VALUES, **placeholder_values(FollowUp(owner=user, kind=kind))}
    filled_subject = fill_placeholders(subject, values)
    filled_body = fill_placeholders(body, values)
    channel = "linkedin" if kind == "connect" else "email"
    return {
        "sample": chosen,
        "preview_subject": filled_subject,
        "preview_body": filled_body,
        "preview_findings": check_draft(
            filled_body, kind=kind, channel=channel, subject=filled_subject
        ),
    }


# Mail client link --------------------------------------------------------------------


def mailto_url(to: str, subject: str, body: str) -> str:
    """A `mailto:` link with every character of subject and body percent-encoded.

    RFC 6068 wants line breaks as CRLF; `quote(safe="")` also encodes `&`, `?`, `#` and
    `+`, so the mail client gets the text back exactly.
    """
    body = body.replace("\r\n", "\n").replace("\n", "\r\n")
    query = f"subject={quote(subject, safe='')}&body={quote(body, safe='')}"
    return f"mailto:{quote(to.strip(), safe='@')}?{query}"


# The checker -------------------------------------------------------------------------

NBSP = "\xa0"
ERROR = "error"
WARNING = "warning"

EMAIL_WORD_LIMIT = 150
LINKEDIN_CHAR_LIMIT = 300

# Which kinds need what. `kind` may be a follow-up kind or the interaction kind of the
# message (a "nudge" interaction is a feedback nudge, a "feedback_request" asks for it).
# The feedback nudge exists only to repeat the feedback request, so it must contain one;
# a thank-you answers feedback already given, so it must not be told to ask again.
THANKS_KINDS = {"reply", "feedback_nudge", "nudge", "feedback_request", "thank_you"}
FEEDBACK_REQUEST_KINDS = {"reply", "feedback_nudge", "nudge", "feedback_request"}
INTEREST_KINDS = {"reply", "check_in", "application_check"}
LINKEDIN_NOTE_KINDS = {"connect"}


@dataclass(frozen=True)
class Finding:
    code: str
    message: str
    severity: str = WARNING
    span: tuple[int, int] | None = None
    field: str = "body"
    excerpt: str = ""


THANKS_RE = re.compile(r"\b(thank\w*|grateful|gratitude|appreciat\w*|many thanks)\b", re.I)
FEEDBACK_REQUEST_RE = re.compile(
    r"\b(feedback|insights?|advice|pointers|suggestions|thoughts on|"
    r"(?:what|where|how) I (?:could|might|can|should) (?:do |have done )?(?:better|improve)|"
    r"areas? (?:to|for|of) improve(?:ment)?)\b",
    re.I,
)


def asks_for_feedback(text: str) -> bool:
    """Whether a message asks for feedback, as the draft checker recognises a request:
    what a sent draft's `requests_feedback` is decided from."""
    return bool(FEEDBACK_REQUEST_RE.search(text))


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

_EMOTIONAL = [(re.compile(p, re.I), m) for p, m in EMOTIONAL_PATTERNS]
_DEMANDING = [(re.compile(p, re.I), m) for p, m in DEMANDING_PATTERNS]


def count_words(text: str) -> int:
    return len(_WORD_RE.findall(text))


_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def size_note(body: str, *, channel: str) -> str:
    """How long the draft is against its limit, for the editor: "94 of 150 words"."""
    if channel == "linkedin":
        return f"{len(body.strip())} of {LINKEDIN_CHAR_LIMIT} characters"
    return f"{count_words(body)} of {EMAIL_WORD_LIMIT} words"


def _placeholder_findings(text: str, field: str) -> list[Finding]:
    findings = []
    for match in PLACEHOLDER_RE.finditer(text):
        key = placeholder_key(match.group(1))
        if key:
            message = (
                f"{match.group(0)} is still a placeholder because {PLACEHOLDER_SOURCES[key]}: "
                "type the real text in."
            )
        else:
            message = f"Replace {match.group(0)} with your own words before sending."
        findings.append(Finding("placeholder", message, ERROR, match.span(), field, match.group(0)))
    return findings


def _phrase_findings(text: str, field: str) -> list[Finding]:
    # Curly apostrophes become straight ones one-for-one, so spans stay valid.
    normalized = text.translate(_APOSTROPHES)
    findings = []
    for code, patterns in (("emotional", _EMOTIONAL), ("demanding", _DEMANDING)):
        for pattern, message in patterns:
            for match in pattern.finditer(normalized):
                excerpt = text[match.start() : match.end()]
                findings.append(Finding(code, message, ERROR, match.span(), field, excerpt))
    for match in SHOUTING_RE.finditer(normalized):
        findings.append(
            Finding(
                "emotional",
                "Whole words in capitals read as shouting.",
                ERROR,
                match.span(),
                field,
                text[match.start() : match.end()],
            )
        )
    return findings


def _length_finding(body: str, *, linkedin: bool) -> Finding | None:
    if linkedin:
        size = len(body.strip())
        if size <= LINKEDIN_CHAR_LIMIT:
            return None
        start = len(body) - len(body.lstrip()) + LINKEDIN_CHAR_LIMIT
        return Finding(
            "too_long",
            f"LinkedIn notes are limited to {LINKEDIN_CHAR_LIMIT} characters; this one has "
            f"{size}. Cut {size - LINKEDIN_CHAR_LIMIT}.",
            WARNING,
            (start, len(body.rstrip())),
        )
    words = list(_WORD_RE.finditer(body))
    if len(words) <= EMAIL_WORD_LIMIT:
        return None
    return Finding(
        "too_long",
        f"{len(words)} words: a reply they will read to the end stays under "
        f"{EMAIL_WORD_LIMIT}. Cut {len(words) - EMAIL_WORD_LIMIT}.",
        WARNING,
        (words[EMAIL_WORD_LIMIT].start(), len(body.rstrip())),
    )


def _content_findings(body: str, kind: str) -> list[Finding]:
    findings = []
    if kind in THANKS_KINDS and not THANKS_RE.search(body):
        findings.append(
            Finding(
                "no_thanks",
                "Say thank you: for their time, the interview or their note.",
            )
        )
    if kind in FEEDBACK_REQUEST_KINDS and not FEEDBACK_REQUEST_RE.search(body):
        findings.append(
            Finding(
                "no_feedback_request",
                "Ask, politely, for any feedback they can share; it is the most useful "
                "thing you can get from a rejection.",
            )
        )
    if kind in INTEREST_KINDS and not INTEREST_RE.search(body):
        findings.append(
            Finding(
                "no_interest",
                "Say you are still interested in them and in future openings.",
            )
        )
    return findings


def check_draft(
    body: str,
    *,
    kind: str,
    channel: str = "email",
    subject: str = "",
    deadline: datetime | None = None,
    now: datetime | None = None,
) -> list[Finding]:
    """Findings about a draft, errors first, then in reading order; [] when it is clean.

    `kind` is the follow-up kind (or the interaction kind of the message); `channel`
    "linkedin" (or the `connect` kind) measures length in characters, else in words.
    """
    body = body or ""
    subject = subject or ""
    findings = _placeholder_findings(subject, "subject") + _placeholder_findings(body, "body")
    findings += _phrase_findings(subject, "subject") + _phrase_findings(body, "body")
    linkedin = channel == "linkedin" or kind in LINKEDIN_NOTE_KINDS
    too_long = _length_finding(body, linkedin=linkedin)
    if too_long:
        findings.append(too_long)
    findings += _content_findings(body, kind)
    now = now or timezone.now()
    if deadline is not None and now > deadline:
        findings.append(
            Finding(
                "late",
                f"The window closed {timesince(deadline, now).replace(NBSP, ' ')} ago. "
                "Send it anyway: a late reply is better than none.",
            )
        )
    findings = _without_overlaps(findings)
    return sorted(
        findings,
        key=lambda f: (
            f.severity != ERROR,
            f.field != "subject",
            f.span[0] if f.span else 10**9,
        ),
    )


def _without_overlaps(findings: list[Finding]) -> list[Finding]:
    """One finding per stretch of text and code: overlapping patterns report once."""
    kept: list[Finding] = []
    for finding in findings:
        if finding.span is not None and any(
            other.code == finding.code
            and other.field == finding.field
            and other.span is not None
            and other.span[0] < finding.span[1]
            and finding.span[0] < other.span[1]
            for other in kept
        ):
            continue
        kept.append(finding)
    return kept


def check_followup_draft(
    followup: FollowUp, subject: str, body: str, *, now: datetime | None = None
) -> list[Finding]:
    """`check_draft` with the kind, channel and deadline of `followup`."""
    deadline = followup.deadline if followup.is_pending else None
    return check_draft(
        body,
        kind=followup.kind,
        channel=channel_of(followup),
        subject=subject,
        deadline=deadline,
        now=now,
    )
