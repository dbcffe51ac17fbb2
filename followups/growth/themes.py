"""The growth plan: feedback themes, suggested actions, reflection questions, goal timing.

`suggest_themes(text)` (contract) reads a piece of feedback and suggests which of the
improvement themes it talks about; the user confirms before anything is stored. It is a
plain phrase matcher: boilerplate every rejection contains ("thank you for your
interest", "we will keep your CV on file") is removed first, then each clause is matched
against our own phrase lists, and a clause that only praises ("your communication was
excellent") is not an area to improve, so it suggests nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import cache

from crm.models import Profile
from followups.language import LinearModel
from followups.timing import working_morning_on_or_after

# Themes ------------------------------------------------------------------------------

EXPERIENCE = "experience"
COMMUNICATION = "communication"
NERVES = "nerves"
ENTHUSIASM = "enthusiasm"
MATERIALS = "materials"
OTHER = "other"

THEME_LABELS: dict[str, str] = {
    EXPERIENCE: "Experience and fit for the role",
    COMMUNICATION: "Communication",
    NERVES: "Nerves and confidence",
    ENTHUSIASM: "Visible enthusiasm",
    MATERIALS: "CV, cover letter and other materials",
    OTHER: "Something else",
}
SUGGESTIBLE_THEMES = (EXPERIENCE, COMMUNICATION, NERVES, ENTHUSIASM, MATERIALS)

# Phrases that sit in almost every rejection and say nothing about the candidate. They are
# cut out before matching so "thank you for your interest" is not read as enthusiasm.
_BOILERPLATE = [
    r"thanks? (you )?for (your|the) (interest|application|applying|time)[^.,;!?]*",
    r"(keep|kept|keeping|hold|holding|retain|store|have) (your|the) "
    r"(cv|c\.v\.|resume|résumé|details|application|profile)s? on (file|record)",
    r"(we|i) (are|am|'re|'m|remain) (confident|sure|certain) (that )?you[^.;!?]*",
    r"(your|the) (interview|candidate|hiring|application) experience (with us)?",
    r"(positive|good|great|pleasant) experience (with|of) (us|our|the)[^.,;!?]*",
    r"(we|i)('d| would) like to stress",
    r"(future|other|new|upcoming) (roles|openings|opportunities|positions|vacancies)",
    r"(received|reviewed|considered) (a|many|lots of|a large number of) applications",
    r"best of luck[^.;!?]*",
    # The employer declining to say more is not feedback about the candidate.
    r"(can't|cannot|can not|unable to|not able to|not in a position to) "
    r"(share|provide|give|offer|elaborate|go into|explain)[^.;!?]*",
    r"(explain|explaining|clarify) (\w+ )?(our|the|this) decision",
    # "It wasn't clear why you wanted to join" is about the why, not about clarity.
    r"it (is|was|wasn't|was not|isn't|is not|remained|felt) (\w+ )?(clear|unclear)"
    r"( to (us|me|the \w+))?(?= (why|whether|if|that|how|what))",
    r"background (check|screening|verification)s?",
    r"(senior|leadership|hiring) (leadership|management|team|panel) (reviewed|decided|met)",
    r"wish(ing)? you (the )?(best|all the best|luck|success)[^.;!?]*",
]

# A lack cue inside a clause means the theme is named as something to improve.
_LACK = (
    r"n't\b|\b(not|no|never|lack\w*|less|more|little|few|fewer|limited|weak\w*|poor\w*|"
    r"insufficient|missing|gap\w*|could|should|would|need\w*|too|bit|somewhat|quite|rather|"
    r"improv\w*|stronger|better|deeper|broader|clearer|however|but|although|though|"
    r"struggl\w*|difficult\w*|hard|unfortunately|wish|hoped|expected)\b"
)
# Praise words: a clause with one of these and no lack cue is a compliment, not a theme.
_PRAISE = (
    r"\b(excellent|great|impressive|impressed|loved|liked|enjoyed|appreciated|outstanding|"
    r"fantastic|wonderful|superb|brilliant|strong|solid|clear|confident|calm|engaging|"
    r"well[- ]written|polished|good)\b"
)

_THEME_PATTERNS: dict[str, list[str]] = {
    EXPERIENCE: [
        r"\bexperience[ds]?\b",
        r"\bexperiential\b",
        r"\bbackground\b",
        r"\b(un|under|over)?qualifi\w*",
        r"\bskill ?sets?\b",
        r"\b(technical|hard|relevant|required|specific|domain|industry) (skills?|knowledge|"
        r"depth|expertise)\b",
        r"\bexpertise\b",
        r"\byears? (of|in)\b",
        r"\b(too|more|less|not|n't|enough|sufficiently) (\w+ )?(junior|senior)\b",
        r"\bseniority\b",
        r"\btrack record\b",
        r"\bhands[- ]on\b",
        r"\bexposure to\b",
        r"\bfamiliar(ity)? with\b",
        r"\b(knowledge|understanding) of\b",
        r"\b(requirements?|needs|criteria) (of|for) (the|this) (role|position|job)\b",
        r"\b(match|matched|matching|align|aligned|fit|fits|suit|suited) "
        r"(\w+ ){0,3}(our|the|their) (\w+ )?(needs|requirements|criteria|brief|profile)\b",
        r"\b(our|the) (\w+ )?(needs|requirements)\b",
        r"\bprofiles? (\w+ )?(better|more closely|closer) (suit|match|fit|align)",
        r"\b(good|great|right|strong|better|best|closer|close|natural) (\w+ )?(fit|match)\b",
        r"\bfit (for|with) (the|our|this) (role|team|position|culture|company)\b",
        r"\b(profile|cv|resume) (was|is) (not|n't)\b.{0,20}\b(match|fit|align)",
        r"\bworked (with|on|in)\b",
        r"\bmore (relevant|direct|closely matching)\b",
        r"\bcloser match\b",
        r"\b(proven|prior|previous|direct|relevant) (work|roles?|projects?)\b",
    ],
    COMMUNICATION: [
        r"\bcommunicat\w*",
        r"\barticulat\w*",
        r"\bclearer\b",
        r"\bclarity\b",
        r"\b(more |less |un)clearly\b",
        r"\b(explain|express|communicat|articulat|present|answer|respond)\w* (\w+ ){0,3}clearly",
        r"\b(answers?|responses?|explanations?|points?|message|examples?|reasoning|thinking|"
        r"story|stories|you)\b( \w+){0,3} (unclear|(not|n't) (very |always |entirely )?clear)",
        r"\b(hard|difficult) to (understand|follow)\b",
        r"\bconcise(ly|ness)?\b",
        r"\bsuccinct\w*",
        r"\brambl\w*",
        r"\blong[- ]winded\b",
        r"\bverbose\b",
        r"\bto the point\b",
        r"\boff[- ]topic\b",
        r"\bvague\w*",
        r"\b(listen\w*)\b",
        r"\bexplain\w* (\w+ ){0,2}(your|yourself|how|why|what|things|concepts|ideas|technical|"
        r"complex|decisions|choices|approach)\b",
        r"\bexplanations?\b",
        r"\bexpress(ing)? (yourself|your (ideas|thoughts|thinking))\b",
        r"\bstructur\w* (of )?(your )?(answers?|responses?|thoughts?|thinking)\b",
        r"\b(answers?|responses?) (were|was|felt|seemed) (\w+ ){0,2}"
        r"(short|long|brief|unfocused|general|generic|shallow|unstructured|hard)\b",
        r"\bhard to follow\b",
        r"\b(answers?|responses?|explanations?)\b([ ,]+\w+){0,5} (unstructured|structure|focus|"
        r"unfocused|depth|shallow|detail|specifics)\b",
        r"\bfollow (your|the) (reasoning|thinking|answers?|train of thought|logic)\b",
        r"\belaborat\w*",
        r"\bpresentation skills?\b",
        r"\bpresent(ing)? (your )?(ideas|work|thoughts|yourself)\b",
        r"\bpublic speaking\b",
        r"\bspeaking skills?\b",
        r"\b(concrete|specific|real) examples?\b",
        r"\bstar (method|format|structure)\b",
        r"\bgetting your (point|ideas?) across\b",
        r"\b(written|verbal|spoken) (english|skills?)\b",
        r"\blanguage (skills?|barrier)\b",
    ],
    NERVES: [
        r"\bnerv\w*",
        r"\banxi\w*",
        r"\btense\b",
        r"\btension\b",
        r"\bstressed\b",
        r"\bunder (a lot of )?(stress|pressure)\b",
        r"\buneas\w*",
        r"\bun(comfortable|settled|sure of yourself)\b",
        r"\b(lack\w*|more|greater|low|little|without|build\w*|boost\w*|show\w*|needs?|"
        r"projects?|grow\w*|some) (\w+ )?(self[- ])?confiden\w*",
        r"\b(un|less |more )confident\b",
        r"(not|n't)( \w+){0,3} (self-)?confident\b",
        r"\bself[- ](assur\w*|doubt\w*)\b",
        r"\bhesita\w*",
        r"\bshak(y|ing)\b",
        r"\bjitter\w*",
        r"\bfidget\w*",
        r"\bfluster\w*",
        r"\brattled\b",
        r"\b(composure|composed)\b",
        r"\bcalm(er|ness|ly)?\b",
        r"\bsweat\w*",
        r"\bstumbl\w*",
        r"\b(froze|freez\w*|blank(ed)? out|went blank|mind went blank)\b",
        r"\bon edge\b",
        r"\btimid\w*",
        r"\bshy\b",
        r"\bpanick?\w*",
        r"\bstage fright\b",
        r"\b(eye contact|body language|poise|poised)\b",
        r"\bon the spot\b",
        r"\brelax\w*",
        r"\bat ease\b",
    ],
    ENTHUSIASM: [
        r"\b(un)?enthusias\w*",
        # Not knowing the company reads as not caring about it.
        r"\b(under|un|poorly |better |more |not |n't )prepar\w*",
        r"\bpassion\w*",
        # Employers are "excited" and "keen" too; only the candidate's lack of it counts.
        r"(n't|\b(not|lack\w*|little|no|more|much|show\w*|any|less))\b( \w+){0,3} "
        r"(excit\w*|eager\w*|keen\w*)",
        r"\bmotivat\w*",
        r"\benerg(y|etic)\b",
        r"\b(un|dis)interest\w*",
        r"\b(lack\w*|little|no|much|real|genuine|more|any|show\w*|limited) "
        r"(\w+ )?(interest|curiosity)\b",
        r"\b(not|n't) (seem|appear|look|come across)\w* (\w+ ){0,2}interested\b",
        r"\b(dis|un)?engag\w*",
        r"\blukewarm\b",
        r"\bindifferen\w*",
        r"\bapath\w*",
        r"\b(low|flat|muted) (energy|affect|tone)\b",
        r"\bcommitment\b",
        r"\bwhy you want(ed)? (to join|to work|this role|the role|the job|us)\b",
        r"\bwant(ed|s)? (this|the) (role|job|position|opportunity)\b",
        r"\bresearch(ed)? (on )?(the |our )?(company|team|product)\b",
        r"\bgoing through the motions\b",
    ],
    MATERIALS: [
        r"\b(cv|c\.v\.|resume|résumé|curriculum vitae)s?\b",
        r"\bcover(ing)? letters?\b",
        r"\bportfolio\w*",
        r"\bwriting samples?\b",
        r"\bapplication (materials?|documents?|pack\w*|form)\b",
        r"\btypos?\b",
        r"\btypographical\b",
        r"\bspelling\b",
        r"\bmisspel\w*",
        r"\bgrammar\w*",
        r"\bgrammatical\w*",
        r"\bproofread\w*",
        r"\bformatt\w*",
        r"\blayout\b",
        r"\blinkedin profile\b",
        r"\bgithub\b",
        r"\bquantif\w*",
        r"\b(tailor|tailored|generic|customi[sz]ed?) (\w+ )?(application|cv|resume|letter)s?\b",
        r"\bwritten application\b",
    ],
}

_COMPILED: dict[str, list[re.Pattern[str]]] = {
    theme: [re.compile(p) for p in patterns] for theme, patterns in _THEME_PATTERNS.items()
}
_BOILERPLATE_RE = re.compile("|".join(f"(?:{p})" for p in _BOILERPLATE))
_LACK_RE = re.compile(_LACK)
_PRAISE_RE = re.compile(_PRAISE)
# Clauses: sentences, and the halves of "X, but Y" — praise and critique often share one.
_CLAUSE_SPLIT_RE = re.compile(
    r"[.!?;\n]+|,\s*and\b|,?\s*\b(?:but|however|although|though|while|whereas|"
    # "not yet qualified" is one thought, "…, yet you seemed tense" two.
    r"(?<!not )(?<!n't )yet)\b\s*"
)


MAX_TEXT = 20_000


def _normalise(text: str) -> str:
    text = text.lower()
    # Curly quotes and dashes, so "didn’t" reads as "didn't".
    text = text.translate(str.maketrans("’‘“”–", "''\"\"-"))
    return re.sub(r"\s+", " ", text)


# The trained reading of a clause (followups/language): the classifier sees the words
# with negation marked, the sentence's embedding, and these patterns' hits, so "you
# didn't seem nervous" (nothing to work on) and "you didn't seem confident" (nerves) part
# ways although both mention the same subject.
NONE = "none"
# A clause is about something to work on when "none" is less likely than the model's
# threshold (train.py picks it by cross-validation inside the training sentences; this is
# the fallback); then every theme at least THEME_AT_LEAST likely is suggested.
NONE_BELOW = 0.5
THEME_AT_LEAST = 0.25
# Below this many words the classifier knows, a clause is noise to it: no verdict.
MIN_KNOWN_WORDS = 2
PATTERN_WEIGHT = 2


def pattern_features(text: str) -> list[str]:
    """The phrase patterns' verdicts on `text`, as features for the classifier."""
    normalised = _normalise(text)
    found = [
        f"pattern:{theme}"
        for theme, patterns in _COMPILED.items()
        if any(p.search(normalised) for p in patterns)
    ]
    if _PRAISE_RE.search(normalised):
        found.append("pattern:praise")
    if _LACK_RE.search(normalised):
        found.append("pattern:lack")
    return found * PATTERN_WEIGHT


@cache
def theme_model() -> LinearModel:
    """The committed theme classifier (read once per process)."""
    return LinearModel.load("themes", extra_features=pattern_features)


def _pattern_themes(clause: str) -> set[str]:
    return {
        theme for theme, patterns in _COMPILED.items() if any(p.search(clause) for p in patterns)
    }


def clause_themes(clause: str, model: LinearModel | None = None) -> set[str]:
    """The themes one clause of feedback asks the candidate to work on."""
    model = model or theme_model()
    if model.known_words(clause) < MIN_KNOWN_WORDS:
        return set()
    probabilities = model.probabilities(clause)
    if probabilities.get(NONE, 0.0) >= model.thresholds.get(NONE, NONE_BELOW):
        return set()
    found = {
        theme
        for theme, probability in probabilities.items()
        if theme != NONE and probability >= THEME_AT_LEAST
    }
    found.add(max((t for t in probabilities if t != NONE), key=probabilities.__getitem__))
    # A clause can name two things ("nervous and vague"): the patterns find the other.
    # They read it without the rejection letter's stock phrases ("we'll keep your CV").
    return found | _pattern_themes(_BOILERPLATE_RE.sub(" ", _normalise(clause)))


def suggest_themes(text: str) -> set[str]:
    """The improvement themes a feedback text talks about (contract); empty if none."""
    if not text:
        return set()
    # Feedback is a few sentences; a longer text is a pasted thread whose newest part
    # comes first. The cap keeps a page view fast whatever was pasted.
    text = _normalise(text[:MAX_TEXT])
    themes: set[str] = set()
    for clause in _CLAUSE_SPLIT_RE.split(text):
        if clause and any(ch.isalpha() for ch in clause):
            themes |= clause_themes(clause)
    return themes


# Suggested actions -------------------------------------------------------------------


@dataclass(frozen=True)
class SuggestedAction:
    """One concrete next step for a theme, with SMART defaults for the goal it becomes."""

    key: str
    theme: str
    text: str
    measurable: str
    achievable: str
    relevant: str
    days: int  # default time until the goal's deadline


SUGGESTED_ACTIONS: dict[str, tuple[SuggestedAction, ...]] = {
    EXPERIENCE: (
        SuggestedAction(
            "experience-lead-with-match",
            EXPERIENCE,
            "Reorder your CV for each posting so the experience it asks for comes first.",
            "Three applications sent with a CV reordered for their posting.",
            "About twenty minutes per application, done before pressing send.",
            "The feedback said your experience did not line up with what they needed.",
            14,
        ),
        SuggestedAction(
            "experience-close-gap",
            EXPERIENCE,
            "Pick the one skill postings keep asking for and build a small project with it.",
            "One finished project, written up in a short paragraph you can add to your CV.",
            "Two evenings a week; keep the project small enough to finish.",
            "A visible piece of work answers the experience question in the next interview.",
            30,
        ),
        SuggestedAction(
            "experience-target-fit",
            EXPERIENCE,
            "Apply mainly to roles where you already meet most of the listed requirements.",
            "Before applying, tick off the requirements; send only when at least 70% match.",
            "A two-minute check per posting.",
            "Fewer mismatched applications, more interviews that can turn into offers.",
            21,
        ),
    ),
    COMMUNICATION: (
        SuggestedAction(
            "communication-star-answers",
            COMMUNICATION,
            "Write five short stories from past work (situation, task, action, result) and "
            "practise telling each one aloud in under two minutes.",
            "Five stories written down and each one told aloud three times.",
            "One story per day over a week.",
            "The feedback asked for clearer answers with concrete examples.",
            10,
        ),
        SuggestedAction(
            "communication-record-yourself",
            COMMUNICATION,
            "Record yourself explaining a recent project, listen back and cut it down to the "
            "essentials.",
            "Two recordings, the second one shorter and with a clear beginning and end.",
            "Half an hour with a phone, no audience needed.",
            "Hearing yourself is the quickest way to notice rambling and filler words.",
            7,
        ),
        SuggestedAction(
            "communication-speak-in-public",
            COMMUNICATION,
            "Join a speaking club or offer a short talk at a meetup or at work.",
            "One talk of at least five minutes given in front of others.",
            "Clubs and meetups welcome first-timers; five minutes is enough.",
            "Regular speaking practice makes interview answers steadier and clearer.",
            45,
        ),
    ),
    NERVES: (
        SuggestedAction(
            "nerves-mock-interviews",
            NERVES,
            "Do mock interviews with a friend, mentor or career coach before the next real one.",
            "Two mock interviews held, with one thing to improve noted after each.",
            "An hour each; ask someone who will give honest notes.",
            "The feedback said you came across as nervous; rehearsal builds familiarity.",
            14,
        ),
        SuggestedAction(
            "nerves-warm-up-routine",
            NERVES,
            "Build a five-minute warm-up for interview days: slow breathing, a short walk, "
            "your opening answer said aloud once.",
            "The routine written down and used before each of the next three interviews.",
            "Five minutes, anywhere, no equipment.",
            "A fixed routine lowers the stress of the first minutes of an interview.",
            7,
        ),
        SuggestedAction(
            "nerves-prepare-opening",
            NERVES,
            "Prepare and rehearse your answer to “tell me about yourself” until it feels easy.",
            "A 90-second answer you can give without notes.",
            "Fifteen minutes a day for a few days.",
            "A confident start sets the tone for the rest of the conversation.",
            5,
        ),
    ),
    ENTHUSIASM: (
        SuggestedAction(
            "enthusiasm-three-reasons",
            ENTHUSIASM,
            "Before each interview, write down three specific reasons you want this role at "
            "this company.",
            "Three written reasons for each of the next three interviews.",
            "Twenty minutes of research on the company's site, news and team.",
            "The feedback said your interest in the role did not come through.",
            14,
        ),
        SuggestedAction(
            "enthusiasm-questions-for-them",
            ENTHUSIASM,
            "Prepare two questions about the team's current work to ask at the end.",
            "Two questions ready before each of the next three interviews.",
            "Drawn from the posting and the company's recent news.",
            "Good questions show curiosity about the job, not just about getting one.",
            14,
        ),
        SuggestedAction(
            "enthusiasm-say-it",
            ENTHUSIASM,
            "Close every interview by saying plainly that you want the job, and why.",
            "Said at the end of each of the next three interviews.",
            "One rehearsed sentence.",
            "Interviewers cannot see enthusiasm you keep to yourself.",
            21,
        ),
    ),
    MATERIALS: (
        SuggestedAction(
            "materials-quantify",
            MATERIALS,
            "Add at least three achievements with numbers to your CV (growth, savings, scale, "
            "time).",
            "Three achievements on the CV, each with a figure.",
            "One evening; dig the figures out of old reports or reviews.",
            "Numbers make your impact easy to see for someone skimming your CV.",
            7,
        ),
        SuggestedAction(
            "materials-proofread",
            MATERIALS,
            "Ask two people to proofread your CV and cover letter.",
            "Two sets of comments received and worked in.",
            "Send it to two people you trust; give them a week.",
            "Typos and unclear wording cost interviews before anyone meets you.",
            10,
        ),
        SuggestedAction(
            "materials-tailor-letter",
            MATERIALS,
            "Write each cover letter for its posting: name the role, the company and what "
            "they need from you.",
            "The next three cover letters each written for their posting.",
            "Start from a short base letter and change the middle paragraph each time.",
            "Generic letters read as generic interest.",
            21,
        ),
    ),
    OTHER: (
        SuggestedAction(
            "other-write-it-down",
            OTHER,
            "Write down one thing you would do differently next time and plan how.",
            "One change written down with the date you will try it.",
            "Ten minutes of honest notes.",
            "Feedback only helps once it turns into something you do.",
            7,
        ),
    ),
}
_ACTIONS_BY_KEY = {a.key: a for actions in SUGGESTED_ACTIONS.values() for a in actions}


def action_by_key(key: str) -> SuggestedAction | None:
    return _ACTIONS_BY_KEY.get(key)


# Reflection questions ----------------------------------------------------------------


@dataclass(frozen=True)
class ReflectionQuestion:
    """A guided question; the Reflection model has `<prefix>_answer` and `<prefix>_note`.

    Phrased so that "yes" is the good answer; a "no" or "partly" points at `theme`, whose
    suggested actions the reflection page then offers.
    """

    prefix: str
    text: str
    hint: str
    theme: str


REFLECTION_QUESTIONS: tuple[ReflectionQuestion, ...] = (
    ReflectionQuestion(
        "tailored",
        "Was my CV and cover letter written for this particular posting?",
        "Lead with the experience the posting asks for.",
        MATERIALS,
    ),
    ReflectionQuestion(
        "error_free",
        "Were my documents free of typos and grammar mistakes?",
        "Small mistakes suggest carelessness.",
        MATERIALS,
    ),
    ReflectionQuestion(
        "quantified",
        "Did I show my achievements with figures?",
        "“Cut build times by 40%” says more than “improved builds”.",
        MATERIALS,
    ),
    ReflectionQuestion(
        "clear_answers",
        "Were my answers clear and short, each with a concrete example?",
        "A situation, what you did and what came of it.",
        COMMUNICATION,
    ),
    ReflectionQuestion(
        "asked_questions",
        "Did I ask them good questions about the role and the team?",
        "Questions show interest and help you judge the job too.",
        ENTHUSIASM,
    ),
    ReflectionQuestion(
        "body_language",
        "Did my body language come across as calm and engaged?",
        "Eye contact, posture, pace of speech.",
        NERVES,
    ),
)


# Goal timing -------------------------------------------------------------------------


def goal_deadline_instant(deadline: date, profile: Profile) -> datetime:
    """The end of the goal's deadline day in the owner's time zone (aware)."""
    return datetime.combine(deadline, time(23, 59), tzinfo=profile.zone)


def goal_reminder_due(
    deadline: date, days_before: int, profile: Profile, *, now: datetime
) -> datetime:
    """When a goal's reminder fires: the working morning on/after `days_before` the deadline.

    If the deadline day itself is not a working day the working morning may fall after it;
    then the reminder comes on the deadline day's morning instead. A reminder whose time has
    already passed (a goal set close to its deadline) fires now rather than in the past.
    """
    start = datetime.combine(deadline - timedelta(days=days_before), time(0), profile.zone)
    due = working_morning_on_or_after(start, profile)
    end = goal_deadline_instant(deadline, profile)
    if due > end:
        due = datetime.combine(deadline, time(profile.morning_hour), profile.zone)
    return max(due, now)


# Theme chart -------------------------------------------------------------------------

CHART_BAR_HEIGHT = 22
CHART_ROW_HEIGHT = 30
CHART_LABEL_WIDTH = 250
CHART_BAR_SPACE = 200  # room for the longest bar; the count goes after it


@dataclass(frozen=True)
class ChartBar:
    theme: str
    label: str
    count: int
    recurring: bool  # heard for more than one application
    y: int
    width: int


def theme_chart(counts: list[tuple[str, str, int]]) -> dict:
    """Geometry of the server-rendered SVG bar chart of theme counts (no JavaScript)."""
    most = max((count for _, _, count in counts), default=0)
    bars = [
        ChartBar(
            theme=theme,
            label=label,
            count=count,
            recurring=count > 1,
            y=index * CHART_ROW_HEIGHT,
            width=max(2, round(CHART_BAR_SPACE * count / most)) if most else 0,
        )
        for index, (theme, label, count) in enumerate(counts)
    ]
    return {
        "bars": bars,
        "height": len(bars) * CHART_ROW_HEIGHT,
        "width": CHART_LABEL_WIDTH + CHART_BAR_SPACE + 40,
        "label_width": CHART_LABEL_WIDTH,
        "bar_height": CHART_BAR_HEIGHT,
    }
