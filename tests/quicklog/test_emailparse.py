"""Reading a pasted email: sender, company, job title, date and text, for the user to confirm."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followups.quicklog.emailparse import (
    company_and_job,
    company_from_domain,
    job_from_subject,
    parse_email,
    person_name,
)

GMAIL_ORIGINAL = """\
Return-Path: <bounce@acme-robotics.com>
From: Dana Reyes <dana.reyes@acme-robotics.com>
To: Sam Seeker <sam@example.org>
Date: Mon, 9 Mar 2026 16:12:00 +0100
Subject: Re: Your application for Senior Backend Engineer at Acme Robotics

Hi Sam,

Thank you for taking the time to interview with us. After careful consideration
we have decided to move forward with another candidate.

Best regards,
Dana Reyes
Talent Partner | Acme Robotics
"""

OUTLOOK_FORWARD = """\
-----Original Message-----
From: Reyes, Dana <DReyes@northwind.co.uk>
Sent: Monday, March 9, 2026 4:12 PM
To: Seeker, Sam <sam@example.org>
Subject: Data Analyst - Application Update

Dear Sam,

Unfortunately we will not be progressing your application for the Data Analyst role.

Kind regards,
Dana
"""

TEXT_ONLY = """\
Hi Sam,

Thank you for your interest in Globex Corporation and for applying to the
Product Designer position. We have decided not to proceed with your application.

All the best,
Priya Natarajan
Recruiting Coordinator
Globex Corporation
priya.natarajan@globex.com
"""

TRACKER = """\
From: Initech Careers <no-reply@greenhouse-mail.io>
Subject: Update on your QA Lead application
Date: Tue, 10 Mar 2026 08:00:00 +0000

Hi Sam, thank you for applying. We will not move forward at this time.
"""


def test_a_full_header_block_gives_name_address_date_title_and_company():
    parsed = parse_email(GMAIL_ORIGINAL)
    assert parsed.sender_name == "Dana Reyes"
    assert parsed.sender_email == "dana.reyes@acme-robotics.com"
    assert parsed.sent_at == datetime(2026, 3, 9, 15, 12, tzinfo=UTC)
    assert parsed.subject == "Your application for Senior Backend Engineer at Acme Robotics"
    assert parsed.job_title == "Senior Backend Engineer"
    assert parsed.company == "Acme Robotics"
    assert parsed.body.startswith("Hi Sam,")
    assert "From:" not in parsed.body


def test_an_outlook_forward_gives_the_original_sender_and_its_readable_date():
    parsed = parse_email(OUTLOOK_FORWARD)
    assert parsed.sender_name == "Dana Reyes"  # "Reyes, Dana" turned around
    assert parsed.sender_email == "dreyes@northwind.co.uk"
    assert parsed.sent_at == datetime(2026, 3, 9, 16, 12)  # no zone: the user's own time
    assert parsed.job_title == "Data Analyst"
    assert parsed.company == "Northwind"  # from the domain, the .co.uk left out
    assert parsed.body.startswith("Dear Sam,")


def test_text_without_headers_reads_the_signature():
    parsed = parse_email(TEXT_ONLY)
    assert parsed.sender_name == "Priya Natarajan"
    assert parsed.sender_email == "priya.natarajan@globex.com"
    assert parsed.company == "Globex Corporation"
    assert parsed.job_title == "Product Designer"
    assert parsed.sent_at is None
    assert parsed.subject == ""


def test_an_applicant_tracker_sender_names_no_person_and_no_company():
    parsed = parse_email(TRACKER)
    assert parsed.sender_name == ""
    assert parsed.sender_email == "no-reply@greenhouse-mail.io"
    assert parsed.company == ""
    assert parsed.job_title == "QA Lead"


def test_a_folded_subject_header_is_read_whole():
    parsed = parse_email(
        "From: Ana Ruiz <ana@umbrella.com>\nSubject: Your application for\n"
        "  Site Reliability Engineer\n\nHello"
    )
    assert parsed.job_title == "Site Reliability Engineer"
    assert parsed.body == "Hello"


@pytest.mark.parametrize(
    "subject, title, company",
    [
        ("Your application for Senior Backend Engineer at Acme", "Senior Backend Engineer", "Acme"),
        ("Application for the Data Analyst position", "Data Analyst", ""),
        ("Application update: Product Designer", "Product Designer", ""),
        ("Backend Engineer - Application Update", "Backend Engineer", ""),
        ("Update on your Backend Engineer application", "Backend Engineer", ""),
        ("Regarding the Staff Engineer role with Hooli", "Staff Engineer", "Hooli"),
        ("Thank you for your interest in the Product Manager role", "Product Manager", ""),
        ("Your application", "", ""),
        ("Application status update", "", ""),
        ("Lunch on Friday?", "", ""),
        ("", "", ""),
    ],
)
def test_the_job_title_comes_from_the_subject(subject, title, company):
    assert job_from_subject(subject) == (title, company)


def test_reply_and_forward_prefixes_are_dropped_from_the_subject():
    parsed = parse_email(
        "From: a@acme.com\nSubject: RE: Fwd: AW: Application for Data Analyst\n\nx"
    )
    assert parsed.subject == "Application for Data Analyst"
    assert parsed.job_title == "Data Analyst"


@pytest.mark.parametrize(
    "address, company",
    [
        ("dana@acme-robotics.com", "Acme Robotics"),
        ("dana@jobs.acme.io", "Acme"),
        ("dana@northwind.co.uk", "Northwind"),
        ("dana@gmail.com", ""),
        ("noreply@us.greenhouse-mail.io", ""),
        ("jobs@myworkday.com", ""),
        ("not an address", ""),
        ("x@localhost", ""),
    ],
)
def test_the_company_is_guessed_from_the_domain(address, company):
    assert company_from_domain(address) == company


@pytest.mark.parametrize(
    "raw, name",
    [
        ("Dana Reyes", "Dana Reyes"),
        ('"Reyes, Dana"', "Dana Reyes"),
        ("Acme Careers", ""),
        ("Talent Team", ""),
        ("dana@acme.com", ""),
        ("", ""),
    ],
)
def test_a_sender_name_is_a_person_or_nothing(raw, name):
    assert person_name(raw) == name


def test_an_address_like_first_dot_last_gives_a_name_when_the_header_has_none():
    parsed = parse_email("From: maria.gomez@hooli.com\nSubject: Hi\n\nThanks")
    assert parsed.sender_name == "Maria Gomez"
    assert parsed.company == "Hooli"


@pytest.mark.parametrize(
    "junk",
    [
        "",
        "   \n\n",
        "From:",
        "From: <>\nDate: yesterday-ish\nSubject:\n\n",
        "From: a@b\nDate: Mon, 99 Foo 20262 99:99:99 +9999\n\nx",
        "\x00\x01 binary ☃ " * 50,
        "Best regards,\n\n",
        "Subject: only a subject\n\nbody",
    ],
)
def test_odd_input_never_raises_and_leaves_fields_empty(junk):
    parsed = parse_email(junk)
    assert isinstance(parsed.sender_name, str)
    assert parsed.sent_at is None or isinstance(parsed.sent_at, datetime)


def test_plain_text_keeps_the_whole_message_as_the_body():
    parsed = parse_email("Hi Sam,\n\nWe went with someone else.\n")
    assert parsed.body == "Hi Sam,\n\nWe went with someone else."
    assert parsed.sender_email == ""
    assert parsed.company == ""


@pytest.mark.parametrize(
    "huge",
    [
        "a" * 1_000_000,
        "From: " + "x" * 500_000 + "\nSubject: " + "application for " * 30_000 + "\n\nhi",
        ("line of text\n" * 100_000) + "Best regards,\nDana Reyes\nAcme",
        "1" * 500_000 + "\nBest,\n" + "+1 " * 200_000,
    ],
)
def test_a_huge_paste_is_read_quickly(huge):
    started = time.perf_counter()
    parsed = parse_email(huge)
    assert time.perf_counter() - started < 2
    assert parsed.body  # the text itself is kept whole, whatever its size


HEADERISH = st.sampled_from(["From: ", "Subject: ", "Date: ", "Sent: ", "\n", "<", ">", "@", ", "])
SIGN_OFFS = st.sampled_from(
    [
        "\nBest regards,\nDana Reyes\nTalent Partner | Acme Robotics\n",
        "Thank you for your interest in Globex Corporation. ",
        "for the Data Analyst role at Contoso ",
        "Your application for Senior Backend Engineer at Acme",
    ]
)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.text(max_size=40), HEADERISH), max_size=30).map("".join))
def test_any_text_at_all_is_read_without_an_error(text):
    parsed = parse_email(text)
    assert len(parsed.subject) <= 300
    assert parsed.sender_email == parsed.sender_email.lower()


@pytest.mark.parametrize("pasted", [GMAIL_ORIGINAL, OUTLOOK_FORWARD, TEXT_ONLY, TRACKER])
def test_the_mailbox_sync_reads_the_same_company_and_job_as_a_paste(pasted):
    # The sync knows the sender, subject and body already and asks only for these two.
    parsed = parse_email(pasted)
    found = company_and_job(parsed.subject, parsed.body, parsed.sender_email)
    assert found == (parsed.company, parsed.job_title)
    assert any(found)


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.characters(blacklist_characters="\r\n"), max_size=80),
    st.lists(st.one_of(st.text(max_size=40), HEADERISH, SIGN_OFFS), max_size=30).map("".join),
    st.sampled_from(["", "dana@acme-robotics.co.uk", "jobs@greenhouse-mail.io", "x@y.example"]),
)
def test_the_sync_and_the_paste_agree_on_any_text(subject, body, address):
    pasted = parse_email(f"From: Dana <{address}>\nSubject: {subject}\n\n{body}")
    found = company_and_job(subject, body, address)
    assert found == (pasted.company, pasted.job_title)
