"""The draft editor: open a follow-up's draft, check it as you type, save it, mark it sent."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from contacts.models import Interaction
from followups.models import FollowUp
from tests.factories import make_application, make_company, make_contact, make_followup


@pytest.fixture
def reply_followup(alice):
    company = make_company(alice, name="Acme Robotics")
    application = make_application(alice, company=company, title="Data Engineer")
    contact = make_contact(alice, first_name="Dana", email="dana@acme.test", company=company)
    contact.applications.add(application)
    now = timezone.now()
    return make_followup(
        alice,
        contact=contact,
        application=application,
        kind=FollowUp.Kind.REPLY,
        due_at=now + timedelta(hours=20),
        deadline=now + timedelta(hours=44),
        draft_subject="Thank you, Dana",
        draft_body="Hi Dana,\n\nThank you for letting me know.\n",
    )


def draft_url(followup: FollowUp) -> str:
    return reverse("followups:draft", args=[followup.pk])


def check_url(followup: FollowUp) -> str:
    return reverse("followups:draft-check", args=[followup.pk])


# Opening the editor -------------------------------------------------------------------


def test_editor_shows_the_saved_draft_and_its_findings(alice_client, reply_followup):
    response = alice_client.get(draft_url(reply_followup))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Thank you for letting me know." in page
    # The saved draft thanks them but asks for nothing and shows no interest.
    assert 'data-code="no_feedback_request"' in page
    assert 'data-code="no_interest"' in page
    assert 'data-code="no_thanks"' not in page


def test_editor_offers_a_mailto_link_with_the_contacts_address(alice_client, reply_followup):
    page = alice_client.get(draft_url(reply_followup)).content.decode()
    assert 'href="mailto:dana@acme.test?subject=Thank%20you%2C%20Dana&amp;body=Hi%20Dana' in page


def test_an_empty_draft_is_written_from_the_template(alice_client, reply_followup):
    FollowUp.objects.filter(pk=reply_followup.pk).update(draft_subject="", draft_body="")
    page = alice_client.get(draft_url(reply_followup)).content.decode()
    assert "Hi Dana," in page
    assert "Data Engineer" in page
    assert "Acme Robotics" in page


def test_starting_again_from_a_builtin_variant_replaces_the_text(alice_client, reply_followup):
    page = alice_client.get(draft_url(reply_followup) + "?start=growth").content.decode()
    assert "Thanks for the update on the Data Engineer role" in page
    assert "Thank you for letting me know." not in page


def test_connect_draft_links_to_the_linkedin_profile(alice, alice_client):
    contact = make_contact(alice, linkedin_url="https://www.linkedin.com/in/dana-example/")
    followup = make_followup(alice, contact=contact, kind=FollowUp.Kind.CONNECT)
    page = alice_client.get(draft_url(followup)).content.decode()
    assert "Open LinkedIn profile" in page
    assert 'href="https://www.linkedin.com/in/dana-example/"' in page
    assert "mailto:" not in page


def test_another_users_draft_answers_404(bob_client, reply_followup):
    assert bob_client.get(draft_url(reply_followup)).status_code == 404
    assert bob_client.post(check_url(reply_followup), {"body": "x"}).status_code == 404
    response = bob_client.post(draft_url(reply_followup), {"subject": "Hi", "body": "Stolen"})
    assert response.status_code == 404
    reply_followup.refresh_from_db()
    assert reply_followup.draft_body.startswith("Hi Dana")


# Live check ---------------------------------------------------------------------------


def test_live_check_flags_a_demanding_sentence_as_you_type(alice_client, reply_followup):
    body = "Hi Dana,\n\nI don't understand why I wasn't chosen. Please give me specific reasons."
    response = alice_client.post(check_url(reply_followup), {"subject": "Hi", "body": body})
    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-code="demanding"' in page
    assert "specific reasons" in page


def test_live_check_of_a_good_reply_finds_nothing(alice_client, reply_followup):
    body = (
        "Hi Dana,\n\nThank you for letting me know, and for your time. I would be grateful "
        "for any feedback you can share. I remain interested in Acme Robotics and future "
        "openings.\n\nBest,\nAlice"
    )
    page = alice_client.post(check_url(reply_followup), {"subject": "Thanks", "body": body})
    assert "No problems found" in page.content.decode()


def test_live_check_returns_a_fresh_mailto_link(alice_client, reply_followup):
    body = "Thanks & see you? #1\nBye"
    page = alice_client.post(check_url(reply_followup), {"subject": "Q&A", "body": body})
    html = page.content.decode()
    assert 'hx-swap-oob="true"' in html
    href = html.split('id="mailto-link" href="')[1].split('"')[0].replace("&amp;", "&")
    query = parse_qs(urlsplit(href).query)
    assert query["subject"] == ["Q&A"]
    assert query["body"] == ["Thanks & see you? #1\r\nBye"]


def test_live_check_needs_a_post(alice_client, reply_followup):
    assert alice_client.get(check_url(reply_followup)).status_code == 405


# Saving and marking sent --------------------------------------------------------------


def test_save_keeps_the_edited_draft(alice_client, reply_followup):
    response = alice_client.post(
        draft_url(reply_followup),
        {"subject": "Thank you!", "body": "Hi Dana,\n\nThanks for everything.", "save": "1"},
    )
    assert response.status_code == 302
    assert response["Location"] == draft_url(reply_followup)
    reply_followup.refresh_from_db()
    assert reply_followup.draft_subject == "Thank you!"
    assert reply_followup.draft_body == "Hi Dana,\n\nThanks for everything."
    assert reply_followup.status == FollowUp.Status.PENDING


def test_an_empty_body_is_a_field_error_not_a_save(alice_client, reply_followup):
    response = alice_client.post(draft_url(reply_followup), {"subject": "x", "body": "   "})
    assert response.status_code == 200
    assert "Write the message before saving or sending it." in response.content.decode()
    reply_followup.refresh_from_db()
    assert reply_followup.draft_subject == "Thank you, Dana"


def test_an_overlong_subject_is_a_field_error(alice_client, reply_followup):
    response = alice_client.post(draft_url(reply_followup), {"subject": "x" * 301, "body": "Hi"})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()


def test_mark_sent_logs_the_edited_draft_and_completes_the_reply(alice_client, reply_followup):
    body = "Hi Dana,\n\nThank you. Any feedback is welcome; I stay interested.\n\nAlice"
    response = alice_client.post(
        draft_url(reply_followup),
        {"subject": "Thanks, Dana", "body": body, "mark_sent": "1"},
        follow=True,
    )
    # The dashboard, with the Undo of this mark sent (issue 12, item 9).
    assert response.redirect_chain[-1][0] == f"{reverse('home')}?sent={reply_followup.pk}"
    assert "Marked sent to Dana" in response.content.decode()
    sent = Interaction.objects.get(owner=reply_followup.owner, direction="outbound")
    assert (sent.kind, sent.subject, sent.body) == ("reply", "Thanks, Dana", body)
    assert sent.contact == reply_followup.contact
    assert sent.application == reply_followup.application
    reply_followup.refresh_from_db()
    assert reply_followup.status == FollowUp.Status.DONE
    assert reply_followup.completed_by == sent
    assert reply_followup.draft_body == body


def test_mark_sent_of_a_dismissed_followup_logs_nothing(alice_client, reply_followup):
    reply_followup.dismiss()
    response = alice_client.post(
        draft_url(reply_followup),
        {"subject": "Thanks", "body": "Hi Dana, thank you.", "mark_sent": "1"},
        follow=True,
    )
    assert "not marked sent" in response.content.decode()
    assert not Interaction.objects.filter(direction="outbound").exists()
    reply_followup.refresh_from_db()
    assert reply_followup.status == FollowUp.Status.DISMISSED


def test_the_editor_counts_words_for_email_and_characters_for_linkedin(alice, alice_client):
    email = make_followup(alice, contact=make_contact(alice), draft_body="One two three.")
    assert "3 of 150 words" in alice_client.get(draft_url(email)).content.decode()
    note = make_followup(alice, contact=make_contact(alice), kind="connect", draft_body="Hi!")
    response = alice_client.post(check_url(note), {"subject": "", "body": "Hi Dana!"})
    assert "8 of 300 characters" in response.content.decode()


def test_a_non_web_linkedin_url_is_not_linked(alice, alice_client):
    contact = make_contact(alice)
    contact.linkedin_url = "javascript:alert(1)"
    contact.save()
    followup = make_followup(alice, contact=contact, kind=FollowUp.Kind.CONNECT)
    page = alice_client.get(draft_url(followup)).content.decode()
    assert "javascript:" not in page
    assert "Open LinkedIn profile" not in page


def test_a_huge_post_is_a_field_error_not_a_slow_page(alice_client, reply_followup):
    body = "why not me " * 100_000
    response = alice_client.post(draft_url(reply_followup), {"subject": "Hi", "body": body})
    assert response.status_code == 200
    assert "at most 10000 characters" in response.content.decode()
    reply_followup.refresh_from_db()
    assert reply_followup.draft_body.startswith("Hi Dana")


def test_the_editor_shows_why_the_reminder_email_never_went_out(alice_client, reply_followup):
    FollowUp.objects.filter(pk=reply_followup.pk).update(
        send_attempts=FollowUp.MAX_SEND_ATTEMPTS, last_error="554 relay access denied"
    )
    html = alice_client.get(draft_url(reply_followup)).content.decode()
    assert "The reminder email could not be sent: 554 relay access denied" in html
