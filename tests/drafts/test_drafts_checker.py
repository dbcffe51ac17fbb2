"""The draft checker: the article's "common mistakes" are flagged, good replies are not."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from followups.drafts import check_draft

GOOD_REPLY = (
    "Hi Dana,\n\nThanks so much for letting me know. I'm disappointed, of course, but I really "
    "enjoyed meeting the team. If you have any feedback on my interviews, I'd be grateful to "
    "hear it. I'm still very interested in Acme and would love to be considered for future "
    "roles.\n\nBest,\nAlex"
)


def codes(findings) -> list[str]:
    return [f.code for f in findings]


# The article's bad examples, and variants of them -------------------------------------

EMOTIONAL = [
    "I can't believe I wasn't chosen! I thought I was the best candidate. This is so unfair!",
    "I can’t believe this happened.",
    "I cannot believe you turned me down.",
    "Honestly, this decision is completely unfair.",
    "It's not fair that I never got a second interview.",
    "I was clearly the strongest candidate you interviewed.",
    "I'm the perfect fit for this role.",
    "I think I was the most qualified applicant.",
    "Honestly I'm devastated and a bit angry.",
    "This is so frustrating.",
    "Your hiring process is a joke.",
    "What a waste of my time.",
    "Why even bother interviewing me?!",
    "I AM VERY DISAPPOINTED IN THIS",
    "I am utterly disappointed.",
    "You treated me unfairly.",
    "I deserved this job.",
    "I should have been chosen.",
    "How dare you ignore my experience.",
    "You will regret this decision.",
]

DEMANDING = [
    "I don't understand why I wasn't chosen. Can you please provide me with specific reasons? "
    "I believe I was a better fit than the selected candidate.",
    "I don’t understand why I was not selected.",
    "I do not see why you rejected me.",
    "Why wasn't I selected for the role?",
    "Please explain why you went with someone else.",
    "I want to know the exact reasons for your decision.",
    "I deserve an explanation.",
    "I expect a detailed explanation of the decision.",
    "I am more qualified than the person you hired.",
    "I was a stronger candidate than whoever you picked.",
    "Please reconsider your decision.",
    "You made the wrong decision.",
    "The interviewer was rude and unprofessional.",
    "Please reply by Friday.",
    "I need an answer ASAP.",
    "This is my third email about this.",
    "I have emailed you several times and I am still waiting.",
    "You never replied to my last message.",
    "Why not me?",
    "Just give me one good reason.",
    "What did the other candidate have that I don't?",
    "You're making a big mistake.",
    "I need an answer as soon as possible.",
    "I expect to hear from you soon.",
    "I will keep emailing until someone answers.",
    "I've been waiting for weeks.",
]


@pytest.mark.parametrize("text", EMOTIONAL)
def test_emotional_phrasing_is_flagged(text):
    findings = [f for f in check_draft(text, kind="reply") if f.code == "emotional"]
    assert findings, text
    assert all(f.severity == "error" and f.message for f in findings)


@pytest.mark.parametrize("text", DEMANDING)
def test_demanding_phrasing_is_flagged(text):
    findings = [f for f in check_draft(text, kind="reply") if f.code == "demanding"]
    assert findings, text
    assert all(f.severity == "error" and f.message for f in findings)


def test_each_of_the_articles_demanding_sentences_is_reported_separately():
    text = DEMANDING[0]
    excerpts = [f.excerpt for f in check_draft(text, kind="reply") if f.code == "demanding"]
    assert excerpts == ["don't understand why", "specific reasons", "better fit than the"]


# Good replies are not flagged ---------------------------------------------------------

GOOD_TONE = [
    # The article's own better examples.
    "Thank you for considering my application. I appreciate the opportunity to interview for "
    "the position. If you have any feedback on my interview or application, I would be "
    "grateful to hear it as I continue to improve my skills.",
    "Thank you for informing me about your decision. While I am disappointed, I appreciate the "
    "opportunity to interview and learn more about your team. I hope to stay in touch and "
    "would welcome any future opportunities that may arise.",
    # Ours: polite disappointment and understanding are fine.
    "I'm a little disappointed, but I understand.",
    "I was very disappointed to hear the news, but I appreciate your honesty.",
    "I understand why you chose someone with more experience.",
    "I can see why the team went with a specialist.",
    "Congratulations to the successful candidate, and thank you again.",
    "The interview went better than I expected, and I learned a lot.",
    "No rush at all; reply whenever it suits you, at your earliest convenience.",
    "It was a fair and friendly process from start to finish.",
    "I used SQL and AWS at my last job, and I enjoyed the HR chat.",
    "Thanks again! I enjoyed it.",
    "I can start immediately and could send my portfolio by Friday.",
    "I made a mistake on the SQL question and have practised since.",
    "I should have prepared better for the system design round.",
    "Please let me know if you need anything else from me.",
]


@pytest.mark.parametrize("text", GOOD_TONE)
def test_polite_replies_have_no_tone_findings(text):
    assert not {"emotional", "demanding"} & set(codes(check_draft(text, kind="reply")))


def test_a_complete_reply_is_clean():
    assert check_draft(GOOD_REPLY, kind="reply", subject="Thank you, Dana") == []


@pytest.mark.parametrize(
    ("kind", "channel", "text"),
    [
        ("feedback_nudge", "email", "Hi Dana, thanks again. Any feedback would help me a lot."),
        ("thank_you", "email", "Hi Dana, thank you for the honest notes; they help."),
        ("check_in", "email", "Hi Dana, a quick hello. I'm still keen on roles at Acme."),
        ("connect", "linkedin", "Hi Dana, great to meet you at Acme. Happy to stay connected."),
        ("application_check", "email", "Hi Dana, is there news? I remain interested."),
        ("goal", "email", "Review your goal today."),
        ("custom", "email", "Hi Dana, just a short note."),
    ],
)
def test_a_good_draft_of_each_kind_is_clean(kind, channel, text):
    assert check_draft(text, kind=kind, channel=channel) == []


# What each kind must contain ----------------------------------------------------------


def test_a_reply_without_thanks_feedback_request_or_interest_gets_three_findings():
    findings = check_draft("Hi Dana,\n\nNoted.\n\nAlex", kind="reply")
    assert codes(findings) == ["no_thanks", "no_feedback_request", "no_interest"]
    assert all(f.severity == "warning" and f.span is None for f in findings)


def test_a_feedback_nudge_must_ask_for_feedback_but_a_thank_you_need_not():
    text = "Hi Dana, thank you for your time."
    assert "no_feedback_request" in codes(check_draft(text, kind="feedback_nudge"))
    assert "no_feedback_request" in codes(check_draft(text, kind="nudge"))
    assert check_draft(text, kind="thank_you") == []


def test_a_thank_you_must_say_thanks():
    assert codes(check_draft("Hi Dana, got it.", kind="thank_you")) == ["no_thanks"]


def test_a_check_in_must_show_interest_but_needs_no_thanks():
    assert codes(check_draft("Hi Dana, how are you?", kind="check_in")) == ["no_interest"]


# Placeholders, length, lateness -------------------------------------------------------


def test_unfilled_placeholders_are_errors_with_their_span():
    body = "Hi [First Name], I enjoyed [something from the interview]. Thanks!"
    findings = [f for f in check_draft(body, kind="custom") if f.code == "placeholder"]
    assert [body[slice(*f.span)] for f in findings] == [
        "[First Name]",
        "[something from the interview]",
    ]
    assert all(f.severity == "error" for f in findings)
    assert "no contact" in findings[0].message


def test_a_placeholder_in_the_subject_is_reported_for_the_subject():
    findings = check_draft("Hi Dana", kind="custom", subject="About the [Job Title] role")
    assert [(f.code, f.field, f.span) for f in findings] == [("placeholder", "subject", (10, 21))]


def test_the_span_of_a_phrase_points_at_it_even_with_curly_apostrophes():
    body = "Hello. I can’t believe it."
    (finding,) = [f for f in check_draft(body, kind="custom") if f.code == "emotional"]
    assert body[slice(*finding.span)] == "can’t believe"


def test_an_email_over_150_words_is_too_long():
    assert check_draft(" ".join(["word"] * 150), kind="custom") == []
    body = " ".join(["word"] * 151)
    (finding,) = check_draft(body, kind="custom")
    assert finding.code == "too_long"
    assert "151 words" in finding.message
    assert body[slice(*finding.span)] == "word"


def test_a_linkedin_note_over_300_characters_is_too_long():
    assert check_draft("x" * 300, kind="custom", channel="linkedin") == []
    (finding,) = check_draft("x" * 301, kind="custom", channel="linkedin")
    assert finding.code == "too_long"
    assert finding.span == (300, 301)


def test_a_connection_note_is_measured_in_characters_whatever_the_channel():
    note = "Hi Dana, " + "great to meet you " * 17
    assert len(note) > 300
    assert codes(check_draft(note, kind="connect")) == ["too_long"]


def test_a_draft_past_its_deadline_is_late():
    now = datetime(2026, 3, 5, 12, tzinfo=UTC)
    late = check_draft(GOOD_REPLY, kind="reply", deadline=now - timedelta(hours=3), now=now)
    assert codes(late) == ["late"]
    assert "3 hours" in late[0].message
    on_time = check_draft(GOOD_REPLY, kind="reply", deadline=now + timedelta(hours=1), now=now)
    assert on_time == []


def test_errors_come_before_warnings():
    findings = check_draft("Noted [Your Name]. This is so unfair.", kind="reply")
    severities = [f.severity for f in findings]
    assert severities == sorted(severities, key=lambda s: s != "error")
    assert codes(findings)[:2] == ["placeholder", "emotional"]
