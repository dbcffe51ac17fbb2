"""The checker reads tone by meaning: paraphrases nobody wrote a pattern for are flagged,
each finding quotes its sentence and says how it reads, polite disappointment is not
flagged, and a finding can be set aside for one draft."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.drafts import check_draft
from followups.drafts.tone import pattern_features
from followups.models import FollowUp
from tests.factories import make_contact, make_followup


def tone_findings(text: str) -> list:
    return [f for f in check_draft(text, kind="reply") if f.code in ("emotional", "demanding")]


# Paraphrases: none of these trips a phrase pattern; the classifier reads them.
BLAMING = [
    "Frankly the whole recruitment process was a shambles from beginning to end.",
    "Your hiring managers clearly haven't got a clue what good looks like.",
]
SARCASTIC = [
    "Oh lovely, yet another form email after four interviews.",
    "Cheers for the lovely automated brush-off after six weeks.",
]
DEMANDING = [
    "You had better give me a proper reason this time.",
    "Forward me every note the panel took about me by tomorrow.",
]
UPSET = [
    "I'm absolutely seething and honestly feel like crying.",
]


@pytest.mark.parametrize("text", BLAMING + SARCASTIC + DEMANDING + UPSET)
def test_a_paraphrase_no_pattern_knows_is_still_flagged(text):
    assert not pattern_features(text), "the test wants a sentence the patterns miss"
    assert tone_findings(text), text


def test_calling_the_process_a_complete_joke_reads_as_blaming_and_is_quoted():
    body = "Thank you for your note. Your interview process is a complete joke."
    (finding,) = tone_findings(body)
    assert finding.code == "emotional" and finding.severity == "error"
    assert "reads as blaming" in finding.message
    assert "a complete joke" in finding.message
    assert body[slice(*finding.span)] == "Your interview process is a complete joke."


def test_a_demand_reads_as_demanding():
    (finding,) = tone_findings("Forward me every note the panel took about me by tomorrow.")
    assert finding.code == "demanding"
    assert "reads as demanding" in finding.message


# Hard negatives: how people really write a gracious reply.
POLITE = [
    "I'm sorry it didn't work out, but I really did enjoy meeting everyone.",
    "It's a pity, of course, though I understand the team needed someone sooner.",
    "Would you be willing to tell me which part of the interview let me down?",
    "May I ask what the successful candidate offered that I should work towards?",
    "Unfortunately I'll be away next week, but thank you so much for the update.",
    "Thank you, and unfortunately I have to decline the second role you mentioned.",
    "I'll admit I'm a little disappointed, but I'm grateful for your kind email.",
]


@pytest.mark.parametrize("text", POLITE)
def test_polite_disappointment_and_courteous_questions_are_not_flagged(text):
    assert tone_findings(text) == [], text


def test_a_clean_reply_of_several_sentences_stays_clean():
    body = (
        "Hi Dana,\n\nThank you for letting me know, and for the time the team gave me. "
        "I'm disappointed, naturally, but I enjoyed our conversations. If you can share "
        "any feedback on my interview, I'd be grateful. I remain keen on Acme and would "
        "love to be considered for future roles.\n\nBest wishes,\nAlex"
    )
    assert check_draft(body, kind="reply") == []


def test_a_sentence_a_pattern_flagged_is_not_reported_twice():
    findings = tone_findings("This is so unfair.")
    assert len(findings) == 1


# Dismissing a finding for one draft, in the editor ----------------------------------


@pytest.fixture
def rude_followup(alice):
    contact = make_contact(alice, first_name="Dana", email="dana@acme.test")
    now = timezone.now()
    return make_followup(
        alice,
        contact=contact,
        kind=FollowUp.Kind.REPLY,
        due_at=now + timedelta(hours=20),
        deadline=now + timedelta(hours=44),
        draft_subject="Thanks",
        draft_body=(
            "Hi Dana, thank you for the feedback. Your interview process is a complete joke."
        ),
    )


def dismiss(client, followup, **data):
    url = reverse("followups:draft-dismiss", args=[followup.pk])
    text = {"subject": followup.draft_subject, "body": followup.draft_body}
    return client.post(url, {**text, **data})


def test_a_dismissed_finding_is_gone_for_this_draft_and_can_come_back(alice_client, rude_followup):
    body, subject = rude_followup.draft_body, rude_followup.draft_subject
    page = alice_client.get(reverse("followups:draft", args=[rude_followup.pk])).content.decode()
    assert "reads as blaming" in page
    findings = check_draft(body, kind="reply", subject=subject)
    (finding,) = [f for f in findings if f.code == "emotional"]

    page = dismiss(alice_client, rude_followup, key=finding.key).content.decode()
    assert "reads as blaming" not in page
    assert "1 finding dismissed for this draft" in page
    reopened = alice_client.get(reverse("followups:draft", args=[rude_followup.pk]))
    assert "reads as blaming" not in reopened.content.decode()

    page = dismiss(alice_client, rude_followup, restore="1").content.decode()
    assert "reads as blaming" in page


def test_another_user_cannot_dismiss_findings_of_my_draft(bob_client, rude_followup):
    assert dismiss(bob_client, rude_followup, key="emotional:body:x").status_code == 404
    rude_followup.refresh_from_db()
    assert rude_followup.dismissed_findings == []
