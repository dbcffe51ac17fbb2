"""Reads a pasted email (with its headers or just the text) for the quick-log forms.

Everything here is a guess for the user to confirm: the sender's name and address, the
company (from the signature, the subject or the sender's domain), the job title (from the
subject or the first lines), when it was sent, and the text itself. Nothing raises on odd
input: what cannot be read stays empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from email.utils import getaddresses, parsedate_to_datetime

from dateutil import parser as date_parser

# Headers -------------------------------------------------------------------------------

HEADER_NAMES = {"from", "to", "cc", "bcc", "subject", "date", "sent", "reply-to", "message-id"}
MESSAGE_ID = re.compile(r"<[^<>\s@]+@[^<>\s@]+>")
HEADER_LINE = re.compile(r"^(?P<name>[A-Za-z][A-Za-z-]{1,20}):[ \t]*(?P<value>.*)$")
EMAIL_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
# "16:12:00 +0100" or "16:12 GMT": a header date the stdlib reads exactly, zone included.
RFC_2822_TIME = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?\s+(?:[+-]\d{4}|GMT|UTC?)\b")
REPLY_PREFIX = re.compile(r"^\s*(?:(?:re|fwd?|aw|wg|tr)\s*:\s*)+", re.I)

# Sender names that are a mailbox, not a person.
ROLE_MAILBOXES = {
    "careers",
    "career",
    "jobs",
    "job",
    "recruiting",
    "recruitment",
    "talent",
    "hr",
    "hiring",
    "noreply",
    "no-reply",
    "donotreply",
    "do-not-reply",
    "notifications",
    "notification",
    "team",
    "people",
    "info",
    "hello",
    "applications",
    "apply",
}

# Applicant trackers: they send most rejections and acknowledgements for the employer.
TRACKER_DOMAINS = {
    "greenhouse",
    "greenhouse-mail",
    "lever",
    "hire",
    "workday",
    "myworkday",
    "myworkdayjobs",
    "smartrecruiters",
    "ashbyhq",
    "icims",
    "successfactors",
    "bamboohr",
    "teamtailor",
    "workable",
    "jobvite",
    "recruitee",
    "personio",
    "taleo",
    "breezy",
    "jazzhr",
    "applytojob",
}

# Domains that say nothing about the employer: mail providers, applicant trackers and
# job boards.
NEUTRAL_DOMAINS = {
    "gmail",
    "googlemail",
    "outlook",
    "hotmail",
    "live",
    "msn",
    "yahoo",
    "icloud",
    "me",
    "aol",
    "proton",
    "protonmail",
    "gmx",
    "web",
    "mail",
    "fastmail",
    "zoho",
    "linkedin",
    "indeed",
} | TRACKER_DOMAINS
# Second-level suffixes, so jobs@acme.co.uk gives "Acme", not "Co".
SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"}

SIGN_OFF = re.compile(
    r"^(?:best|kind|warm|many|with)?\s*(?:regards|wishes|thanks|thank you|cheers|sincerely|"
    r"best|all the best|respectfully|yours(?: sincerely| truly)?)[\s,.!]*$",
    re.I,
)
COMPANY_SUFFIX = re.compile(
    r"\b(?:inc|llc|ltd|gmbh|ag|sa|bv|plc|corp|corporation|company|co|group|labs|"
    r"technologies|systems|software)\.?$",
    re.I,
)


@dataclass
class ParsedEmail:
    sender_name: str = ""
    sender_email: str = ""
    company: str = ""
    job_title: str = ""
    subject: str = ""
    body: str = ""
    sent_at: datetime | None = None
    message_id: str = ""
    # What the text says it is: "rejection", "feedback" or "" when it does not say (or
    # says both): the page pre-selects a kind only when the email is clear about it.
    kind: str = ""


def parse_email(text: str) -> ParsedEmail:
    """Everything `text` (a pasted email) tells about who wrote, from where, and about what."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    headers, body = split_headers(text)
    headers = {name: value[:MAX_LINE] for name, value in headers.items()}
    sample = guessing_sample(body)
    parsed = ParsedEmail(subject=clean_subject(headers.get("subject", "")), body=body.strip())
    parsed.sent_at = parse_date(headers.get("date") or headers.get("sent") or "")
    parsed.sender_name, parsed.sender_email = sender(headers.get("from", ""), sample)
    signature = read_signature(sample)
    if not parsed.sender_name and signature.get("name"):
        parsed.sender_name = signature["name"]
    message_id = MESSAGE_ID.search(headers.get("message-id", ""))
    parsed.message_id = message_id.group(0) if message_id else ""
    parsed.kind = kind_of(f"{parsed.subject}\n{sample}")
    parsed.company, parsed.job_title = _company_and_job(
        parsed.subject, sample, parsed.sender_email, signature
    )
    return parsed


def company_and_job(subject: str, body: str, sender_email: str) -> tuple[str, str]:
    """The company and job title `parse_email` reads from a message whose sender, subject
    and body are known already (the mailbox sync's): the same guesses, without reading
    headers, dates, names or the kind again."""
    sample = guessing_sample((body or "").replace("\r\n", "\n").replace("\r", "\n"))
    return _company_and_job(clean_subject(subject), sample, sender_email, read_signature(sample))


def _company_and_job(
    subject: str, sample: str, sender_email: str, signature: dict[str, str]
) -> tuple[str, str]:
    title, company = job_from_subject(subject)
    company = signature.get("company") or company
    if not title or not company:
        body_title, body_company = job_from_body(sample)
        title, company = title or body_title, company or body_company
    return company or company_from_body(sample) or company_from_domain(sender_email), title


MAX_LINE = 300
SAMPLE_LINES = 40


def guessing_sample(body: str) -> str:
    """The start and the end of the body, lines cut short: what the guesses read.

    The greeting and the signature are all they need, and a bounded sample keeps the
    regular expressions fast whatever size of text is pasted.
    """
    lines = [line[:MAX_LINE] for line in body.split("\n")]
    if len(lines) > 2 * SAMPLE_LINES:
        lines = lines[:SAMPLE_LINES] + lines[-SAMPLE_LINES:]
    return "\n".join(lines)


def split_headers(text: str) -> tuple[dict[str, str], str]:
    """The header block starting at the first `From:` line (a forward may come first).

    Headers run until a blank line or a line that is not a header; folded lines (starting
    with whitespace) continue the previous header. No header block: ({}, text).
    """
    lines = text.split("\n")
    start = next(
        (i for i, line in enumerate(lines) if re.match(r"^\s*from:\s*\S", line, re.I)), None
    )
    if start is None or start > 40:
        return {}, text
    headers: dict[str, str] = {}
    last = ""
    i = start
    while i < len(lines):
        line = lines[i].strip("\ufeff")
        match = HEADER_LINE.match(line.strip())
        if match and match.group("name").lower() in HEADER_NAMES:
            last = match.group("name").lower()
            headers.setdefault(last, match.group("value").strip())
        elif line[:1] in (" ", "\t") and line.strip() and last:
            headers[last] = f"{headers[last]} {line.strip()}"
        elif not line.strip():
            if headers:
                i += 1
                break
        else:
            break
        i += 1
    return headers, "\n".join(lines[i:])


def clean_subject(subject: str) -> str:
    return REPLY_PREFIX.sub("", subject[:MAX_LINE]).strip()


def parse_date(value: str) -> datetime | None:
    """An RFC 2822 date (Gmail "Show original") or a mail client's readable one (Outlook)."""
    value = value.strip()
    if not value:
        return None
    if RFC_2822_TIME.search(value):
        try:
            return parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            pass
    # "Mon, Mar 9, 2026 at 4:12 PM" (Gmail's copy), "Monday, March 9, 2026 4:12 PM"
    # (Outlook): no reliable zone, so the time is taken as the user's own (naive).
    try:
        return date_parser.parse(re.sub(r"\bat\b", " ", value), fuzzy=True, ignoretz=True)
    except (ValueError, OverflowError):
        return None


def sender(from_header: str, body: str) -> tuple[str, str]:
    """Name and address of the sender; without headers, the first address in the text."""
    name, address = "", ""
    bracketed = re.match(r"^\s*(?P<name>.*?)\s*<(?P<address>[^<>]+)>", from_header)
    if bracketed:
        # Outlook writes "Reyes, Dana <d@x>", which getaddresses would split at the comma.
        name, address = bracketed.group("name"), bracketed.group("address").strip()
    elif from_header:
        pairs = getaddresses([from_header])
        if pairs:
            name, address = pairs[0]
        if not address or "@" not in address:
            found = EMAIL_ADDRESS.search(from_header)
            address = found.group(0) if found else ""
            name = name if name and "@" not in name else ""
    else:
        found = EMAIL_ADDRESS.search(body)
        address = found.group(0) if found else ""
    name = person_name(name) or name_from_address(address)
    return name, address.lower()


def person_name(name: str) -> str:
    """'Reyes, Dana' → 'Dana Reyes'; a mailbox name such as 'Acme Careers' → ''."""
    name = name.strip().strip("\"'").strip()
    if not name or "@" in name:
        return ""
    if name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        name = f"{first} {last}".strip()
    words = {w.lower().strip(".") for w in re.split(r"[\s-]+", name)}
    if words & ROLE_MAILBOXES or len(name) > 60:
        return ""
    return name


def name_from_address(address: str) -> str:
    """'dana.reyes@…' → 'Dana Reyes'; 'careers@…' and 'dreyes@…' say no name."""
    local = address.split("@")[0].lower() if "@" in address else ""
    if local in ROLE_MAILBOXES:
        return ""
    parts = [p for p in re.split(r"[._-]+", local) if p]
    if len(parts) < 2 or any(p in ROLE_MAILBOXES or not p.isalpha() for p in parts):
        return ""
    return " ".join(p.capitalize() for p in parts[:3])


# Company ------------------------------------------------------------------------------


DOMAIN_WORD_BREAK = re.compile(r"[-_]+")


def company_from_domain(address: str) -> str:
    """'dana@jobs.acme-robotics.co.uk' → 'Acme Robotics'; mail providers and trackers → ''."""
    if "@" not in address:
        return ""
    labels = address.rsplit("@", 1)[1].lower().split(".")
    if len(labels) < 2:
        return ""
    labels = labels[:-1]  # the top-level domain
    if len(labels) > 1 and labels[-1] in SECOND_LEVEL:
        labels = labels[:-1]
    name = labels[-1]
    if name in NEUTRAL_DOMAINS or any(label in NEUTRAL_DOMAINS for label in labels):
        return ""
    return " ".join(part.capitalize() for part in DOMAIN_WORD_BREAK.split(name) if part)


# "Recruiter at Acme", "Recruiter | Acme", "Recruiter, Acme"
TITLE_COMPANY_BREAK = re.compile(r"\s+(?:at|@)\s+|\s*[|•·–—]\s*|,\s+")
CONTACT_LINE = re.compile(r"(?:https?://|www\.|\+?\d[\d ()-]{6,}|linkedin)", re.I)
NOT_A_PERSON = re.compile(r"\b(?:team|department|recruit\w*|talent|manager|lead)\b", re.I)
NOT_A_COMPANY = re.compile(r"\b(?:recruit\w*|manager|talent|acquisition|partner|lead|hr)\b", re.I)


def read_signature(body: str) -> dict[str, str]:
    """Name and company from the lines after the sign-off ("Best regards,").

    A signature reads: name, then a job title and/or company, sometimes joined as
    "Recruiter at Acme", "Recruiter | Acme" or "Recruiter, Acme".
    """
    lines = [line.strip() for line in body.split("\n")]
    sign_off = max((i for i, line in enumerate(lines) if SIGN_OFF.match(line)), default=None)
    if sign_off is None:
        return {}
    rest = [line for line in lines[sign_off + 1 : sign_off + 8] if line]
    rest = [line for line in rest if not EMAIL_ADDRESS.search(line) and not is_contact_line(line)]
    if not rest:
        return {}
    result: dict[str, str] = {}
    if looks_like_name(rest[0]):
        result["name"] = rest[0]
        rest = rest[1:]
    for line in rest[:3]:
        joined = TITLE_COMPANY_BREAK.split(line, maxsplit=1)
        if len(joined) == 2 and looks_like_company(joined[1]):
            result["company"] = joined[1].strip()
            break
        if COMPANY_SUFFIX.search(line) and looks_like_company(line):
            result["company"] = line
            break
    if "company" not in result and len(rest) >= 2 and looks_like_company(rest[1]):
        # name / title / company, the most common layout
        result["company"] = rest[1]
    return result


def is_contact_line(line: str) -> bool:
    return bool(CONTACT_LINE.search(line))


def looks_like_name(line: str) -> bool:
    words = line.split()
    return (
        1 <= len(words) <= 4
        and all(w[:1].isupper() for w in words)
        and not any(ch.isdigit() for ch in line)
        and not COMPANY_SUFFIX.search(line)
        and not {w.lower().strip(",.") for w in words} & ROLE_MAILBOXES
        and not NOT_A_PERSON.search(line)
    )


def looks_like_company(text: str) -> bool:
    text = text.strip()
    return (
        1 <= len(text) <= 60
        and text[:1].isupper()
        and len(text.split()) <= 6
        and not NOT_A_COMPANY.search(text)
    )


# Up to four capitalised words; a dot only inside a word ("Acme.io"), so "at Contoso.
# Unfortunately…" stops at the end of the sentence.
COMPANY_WORDS = r"[A-Z][\w&'-]*(?:\.[\w&'-]+)*(?:[ \t]+[A-Z][\w&'-]*(?:\.[\w&'-]+)*){0,3}"


COMPANY_IN_BODY = re.compile(
    r"(?:interest in (?:joining |working (?:at|for) )?|(?:team|everyone|us) at |"
    r"opportunit(?:y|ies) (?:at|with) |career at |position at |role at )"
    rf"(?P<company>{COMPANY_WORDS})"
)


def company_from_body(body: str) -> str:
    """ "Thank you for your interest in Acme Robotics" / "…the team at Acme"."""
    head = " ".join(body.split("\n")[:15])
    match = COMPANY_IN_BODY.search(head)
    return match.group("company").rstrip(".") if match else ""


# What kind of email ---------------------------------------------------------------------

REJECTION_WORDS = re.compile(
    r"\b(?:unfortunately|regret to (?:inform|let you know)|not been successful|unsuccessful|"
    r"(?:not|no longer) (?:be )?(?:moving|move|progressing|progress|proceeding|proceed|"
    r"taking) (?:forward|further|ahead|with your)|"
    r"decided (?:to )?(?:go|move forward|proceed|continue) with (?:another|other|a different)|"
    r"(?:another|other|a different) candidates?|position has been filled|"
    r"will not be (?:moving|progressing|offering|proceeding))\b",
    re.I,
)
FEEDBACK_WORDS = re.compile(
    r"\b(?:here (?:is|are) (?:some |the |my |our )?feedback|feedback (?:from|on) (?:the|your|our) "
    r"(?:panel|interviews?|team|application|assessment)|(?:the |our )?(?:panel|interviewers?|"
    r"team) (?:felt|thought|noted|liked|would have liked)|(?:areas?|room) (?:for|to) "
    r"(?:improve\w*|grow\w*|develop\w*))\b",
    re.I,
)


def kind_of(text: str) -> str:
    """ "rejection" or "feedback" when the text plainly is one (and not both), else ""."""
    rejection, feedback = bool(REJECTION_WORDS.search(text)), bool(FEEDBACK_WORDS.search(text))
    if rejection == feedback:
        return ""
    return "rejection" if rejection else "feedback"


# Job title ------------------------------------------------------------------------------

ROLE_WORDS = r"(?:position|role|job|opening|vacancy|opportunity)"
SUBJECT_PATTERNS = [
    # "Your application for Senior Backend Engineer at Acme"
    re.compile(
        r"(?:application|applying|candidacy|interview(?:ing)?|interest)\s+(?:for|to)\s+"
        r"(?:the\s+)?(?:position\s+of\s+|role\s+of\s+)?(?P<title>.+?)"
        rf"(?:\s+{ROLE_WORDS})?(?:\s+(?:at|with)\s+(?P<company>.+?))?\s*$",
        re.I,
    ),
    # "Application update: Product Designer", "Application status - Data Analyst (Remote)"
    re.compile(
        r"^(?:application|candidacy)(?:\s+(?:update|status))?\s*[-–:|]\s*(?P<title>.+?)"
        r"(?:\s+(?:at|with)\s+(?P<company>.+?))?\s*$",
        re.I,
    ),
    # "Backend Engineer - Application Update", "Acme | Data Analyst - your application"
    re.compile(
        r"^(?:(?P<company>[^|]+?)\s*\|\s*)?(?P<title>.+?)\s*[-–:|]\s*"
        r"(?:your\s+)?(?:application|candidacy|interview)",
        re.I,
    ),
    # "Update on your Backend Engineer application", "Regarding the Data Analyst role"
    re.compile(
        rf"(?:your|the)\s+(?P<title>.+?)\s+(?:application|{ROLE_WORDS})"
        r"(?:\s+(?:at|with)\s+(?P<company>.+?))?\s*$",
        re.I,
    ),
]
BODY_PATTERNS = [
    # "for the Product Designer role at Contoso", "interest in the Data Analyst position"
    re.compile(
        rf"(?:for|of|to|in)\s+the\s+(?P<title>[A-Z][\w/&+#.-]*(?:\s+[\w/&+#().-]+){{0,6}}?)"
        rf"\s+{ROLE_WORDS}(?:\s+(?:at|with)\s+(?P<company>{COMPANY_WORDS}))?"
    ),
    # "your application for Product Designer at Contoso" (a title in capitals, no "role")
    re.compile(
        r"(?:application|applying|applied)\s+(?:for|to)\s+(?:the\s+)?"
        r"(?P<title>[A-Z][\w/&+#.-]*(?:\s+[A-Z][\w/&+#().-]*){0,5})"
        rf"\s+(?:at|with)\s+(?P<company>{COMPANY_WORDS})"
    ),
    re.compile(r"(?:the\s+)?(?:position|role)\s+of\s+(?P<title>[A-Z][^,.;\n]{2,60})"),
]
NOT_A_TITLE = re.compile(r"^(?:your|our|this|the|a|an|my|job|role|position)$", re.I)


THE_OR_YOUR = re.compile(r"\b(?:the|your)\s+", re.I)
ARTICLE = re.compile(r"^(?:a|an)\s+", re.I)
NOT_A_TITLE_WORD = re.compile(r"\b(?:update|status|received|thank|regarding|decision)\b", re.I)


def plausible_title(title: str | None) -> str:
    title = (title or "").strip(" \t\"'“”.,;:-–")
    # "interest in the Product Manager" → "Product Manager": titles rarely say "the"/"your".
    title = THE_OR_YOUR.split(title)[-1]
    title = ARTICLE.sub("", title)
    if not title or len(title) > 80 or NOT_A_TITLE.match(title) or not title[:1].isalpha():
        return ""
    if NOT_A_TITLE_WORD.search(title):
        return ""
    return title


def job_from_subject(subject: str) -> tuple[str, str]:
    """(job title, company) named by a subject line, each '' when it names none."""
    for pattern in SUBJECT_PATTERNS:
        match = pattern.search(subject)
        if match:
            title = plausible_title(match.group("title"))
            if title:
                company = (match.groupdict().get("company") or "").strip(" .")
                return title, company if looks_like_company(company) else ""
    return "", ""


def job_from_body(body: str) -> tuple[str, str]:
    """(job title, company) the first lines name, each '' when they name none."""
    head = " ".join(body.split("\n")[:15])
    for pattern in BODY_PATTERNS:
        match = pattern.search(head)
        if match and (title := plausible_title(match.group("title"))):
            company = (match.groupdict().get("company") or "").rstrip(".")
            return title, company if looks_like_company(company) else ""
    return "", ""
