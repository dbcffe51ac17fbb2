"""Bracket placeholders (`[First Name]`, `[Company Name]`…): the labels people write, and
filling them from a follow-up in one regex pass over plain text (never a Django template)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from crm.models import Profile

if TYPE_CHECKING:
    from followups.models import FollowUp


# Placeholders ------------------------------------------------------------------------

# A bracketed label on one line, without nested brackets: "[Hiring Manager’s Name]".
PLACEHOLDER_RE = re.compile(r"\[([^\[\]\n]{1,100})\]")

APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})

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
    label = label.translate(APOSTROPHES).lower()
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
