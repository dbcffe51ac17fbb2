"""The template overrides page: pick a variant, write your own, preview it, reset it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from contacts.models import Interaction
from followups.drafts import render_draft
from followups.drafts.library import variants_for
from followups.models import FollowUp, ReplyTemplate
from tests.factories import (
    make_application,
    make_company,
    make_contact,
    make_followup,
    make_interaction,
)

TEMPLATES = reverse("followups:templates")


def edit_url(kind: str) -> str:
    return reverse("followups:template-edit", args=[kind])


def preview_url(kind: str) -> str:
    return reverse("followups:template-preview", args=[kind])


def reset_url(kind: str) -> str:
    return reverse("followups:template-reset", args=[kind])


@pytest.fixture
def dana_followup(alice):
    company = make_company(alice, name="Initech")
    application = make_application(alice, company=company, title="QA Lead")
    contact = make_contact(alice, first_name="Dana", last_name="Lee", company=company)
    return make_followup(alice, contact=contact, application=application, kind="reply")


def test_the_account_menu_links_to_the_templates_page(alice_client):
    assert f'href="{TEMPLATES}"' in alice_client.get(reverse("home")).content.decode()


def test_the_list_shows_every_kind_with_the_builtin_in_use(alice_client):
    page = alice_client.get(TEMPLATES).content.decode()
    for kind, label in FollowUp.Kind.choices:
        assert f'id="template-{kind}"' in page
        assert label in page
    assert "Built-in: Warm and brief" in page
    assert "Reset to default" not in page


def test_the_editor_starts_from_the_default_or_the_chosen_variant(alice_client):
    default = alice_client.get(edit_url("reply")).content.decode()
    assert "Thank you, [First Name]" in default
    growth = alice_client.get(edit_url("reply") + "?start=growth").content.decode()
    assert "Thanks for the update on the [Job Title] role" in growth
    assert 'name="variant" value="growth"' in growth


def test_saving_makes_it_the_users_template_for_new_drafts(alice, alice_client):
    response = alice_client.post(
        edit_url("reply"),
        {"subject": "Thanks, [First Name]", "body": "Dear [First Name], thank you.", "variant": ""},
    )
    assert response.status_code == 302
    mine = ReplyTemplate.objects.get(owner=alice, kind="reply")
    assert (mine.variant, mine.channel) == ("custom", "email")
    # A rejection logged afterwards gets its draft from the user's template.
    contact = make_contact(alice, first_name="Robin")
    make_interaction(alice, contact=contact, kind=Interaction.Kind.REJECTION)
    reply = FollowUp.objects.get(owner=alice, contact=contact, kind="reply")
    assert (reply.draft_subject, reply.draft_body) == ("Thanks, Robin", "Dear Robin, thank you.")
    page = alice_client.get(TEMPLATES).content.decode()
    assert "Your own" in page
    assert "Reset to default" in page


def test_saving_again_updates_the_one_override(alice, alice_client):
    for body in ("First version", "Second version"):
        alice_client.post(edit_url("check_in"), {"subject": "Hi", "body": body})
    assert ReplyTemplate.objects.get(owner=alice, kind="check_in").body == "Second version"


def test_a_connect_template_is_a_linkedin_note(alice, alice_client):
    alice_client.post(edit_url("connect"), {"subject": "", "body": "Hi [First Name]!"})
    assert ReplyTemplate.objects.get(owner=alice, kind="connect").channel == "linkedin"


def test_an_empty_body_is_a_field_error(alice, alice_client):
    response = alice_client.post(edit_url("reply"), {"subject": "Hi", "body": "  "})
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    assert not ReplyTemplate.objects.filter(owner=alice).exists()


def test_an_unknown_kind_answers_404(alice_client):
    assert alice_client.get(edit_url("nonsense")).status_code == 404
    assert alice_client.post(reset_url("nonsense")).status_code == 404


def test_the_preview_fills_the_template_for_a_real_followup(alice_client, dana_followup):
    response = alice_client.post(
        preview_url("reply"),
        {
            "subject": "About [Job Title]",
            "body": "Hi [First Name], thanks from [Company Name]. I can't believe it!",
            "sample": dana_followup.pk,
        },
    )
    page = response.content.decode()
    assert "About QA Lead" in page
    assert "Hi Dana, thanks from Initech." in page
    assert 'data-code="emotional"' in page


def test_the_editor_previews_against_the_users_followup(alice_client, dana_followup):
    page = alice_client.get(edit_url("reply")).content.decode()
    assert "Thank you, Dana" in page
    assert f'<option value="{dana_followup.pk}" selected>' in page


def test_the_preview_ignores_another_users_followup(alice_client, bob):
    bobs = make_followup(bob, contact=make_contact(bob, first_name="Bobsfriend"), kind="reply")
    page = alice_client.post(
        preview_url("reply"), {"subject": "", "body": "Hi [First Name]", "sample": bobs.pk}
    ).content.decode()
    assert "Bobsfriend" not in page
    assert "Hi Sam" in page  # the example contact, as alice has no follow-ups


def test_the_preview_escapes_html(alice_client):
    page = alice_client.post(
        preview_url("custom"), {"subject": "", "body": "<script>alert(1)</script>"}
    ).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_reset_goes_back_to_the_builtin(alice, alice_client, dana_followup):
    ReplyTemplate.objects.create(owner=alice, kind="reply", subject="Mine", body="Mine")
    response = alice_client.post(reset_url("reply"), follow=True)
    assert "back to the built-in template" in response.content.decode()
    assert not ReplyTemplate.objects.filter(owner=alice).exists()
    assert render_draft(dana_followup)[0] == "Thank you, Dana"
    assert ReplyTemplate.objects.filter(owner=None, kind="reply").count() == len(
        variants_for("reply")
    )


def test_another_user_cannot_reset_or_see_my_template(alice, bob_client):
    ReplyTemplate.objects.create(owner=alice, kind="reply", subject="Secret", body="Alice's own")
    bob_client.post(reset_url("reply"))
    assert ReplyTemplate.objects.filter(owner=alice, kind="reply").exists()
    assert "Alice's own" not in bob_client.get(edit_url("reply")).content.decode()
    assert "Secret" not in bob_client.get(TEMPLATES).content.decode()


def test_reset_and_preview_need_a_post(alice_client):
    assert alice_client.get(reset_url("reply")).status_code == 405
    assert alice_client.get(preview_url("reply")).status_code == 405


def test_a_tampered_variant_is_saved_as_custom(alice, alice_client):
    alice_client.post(edit_url("reply"), {"subject": "Hi", "body": "Hi", "variant": "x" * 500})
    assert ReplyTemplate.objects.get(owner=alice, kind="reply").variant == "custom"
