"""The bookmarklet's three steps (crm/capture/bookmarklet.py): the cross-site post with
the user's key gets a relay page and writes nothing; the relay page posts on with the
session, Django's CSRF token and a one-time ticket; the review page shows the pre-filled
form once, behind the login."""

from __future__ import annotations

import json
from datetime import timedelta

import lxml.html
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from crm.capture.bookmarklet import token_for
from crm.models import CaptureDraft, JobApplication
from tests.factories import make_application

pytestmark = pytest.mark.django_db

JSON_LD = json.dumps(
    {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": "Frontend Engineer",
        "hiringOrganization": {"@type": "Organization", "name": "Vandelay Industries"},
        "validThrough": "2026-05-01",
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "GBP",
            "value": {"@type": "QuantitativeValue", "minValue": 55000, "maxValue": 65000},
        },
        "description": "<p>Import/export dashboards.</p>",
    }
)


def sent(token: str, **fields) -> dict:
    data = {
        "token": token,
        "url": "https://careers.vandelay.example/jobs/42",
        "title": "Frontend Engineer | Vandelay",
        "jsonld": json.dumps([JSON_LD]),
        "meta": json.dumps({}),
        "selection": "",
    }
    data.update(fields)
    return data


def post_from_another_site(data: dict):
    """A browser on the posting's site: no session cookie, no CSRF token."""
    return Client(enforce_csrf_checks=True).post(reverse("crm:capture-bookmarklet"), data)


def browser_of(user) -> Client:
    """The user's own browser: logged in, with CSRF checked as in production."""
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    return browser


def relay_form(relay) -> tuple[str, dict[str, str]]:
    """The relay page's form: its action and every field it posts."""
    assert relay.status_code == 200, relay.content
    [form] = lxml.html.fromstring(relay.content).xpath('//form[@id="capture-relay"]')
    fields = {field.name: field.value or "" for field in form.xpath(".//input|.//textarea")}
    return form.get("action"), fields


def send_on(browser: Client, relay):
    """What js/capture-relay.js does: fetch the CSRF token, post the relay form."""
    action, fields = relay_form(relay)
    answer = browser.get(reverse("crm:capture-csrf")).json()
    assert answer["logged_in"]
    return browser.post(action, fields | {"csrfmiddlewaretoken": answer["csrf_token"]})


def capture(user, data: dict) -> str:
    """One click of the bookmarklet, as far as the review page's address."""
    received = send_on(browser_of(user), post_from_another_site(data))
    assert received.status_code == 302, received.content
    return received.url


def test_the_applications_page_offers_the_bookmarklet_with_the_users_token(alice, alice_client):
    page = alice_client.get(reverse("crm:application-board")).content.decode()

    assert "Save to Follow-up CRM" in page
    assert 'href="javascript:' in page
    assert token_for(alice).token in page
    assert "http://testserver/applications/capture/bookmarklet/" in page


def test_a_post_with_the_key_opens_the_pre_filled_form_after_login(alice, alice_client):
    review = alice_client.get(capture(alice, sent(token_for(alice).token)))

    form = review.context["form"]
    assert form["company_name"].value() == "Vandelay Industries"
    assert form["title"].value() == "Frontend Engineer"
    assert (form["salary_min"].value(), form["salary_max"].value()) == (55000, 65000)
    assert form["salary_currency"].value() == "GBP"
    assert form["closing_date"].value() == "2026-05-01"
    assert form["posting_url"].value() == "https://careers.vandelay.example/jobs/42"
    assert not JobApplication.objects.exists()


def test_the_cross_site_post_only_opens_a_relay_page(alice):
    relay = post_from_another_site(sent(token_for(alice).token))

    action, fields = relay_form(relay)
    assert action == reverse("crm:capture-bookmarklet-receive")
    assert fields["url"] == "https://careers.vandelay.example/jobs/42"
    assert json.loads(fields["jsonld"]) == [JSON_LD]
    assert fields["ticket"] and not fields["csrfmiddlewaretoken"]
    assert not CaptureDraft.objects.exists()
    # No CSRF cookie came with the post: making one would replace the user's own.
    assert "csrftoken" not in relay.cookies
    assert relay["Cache-Control"] == "no-store"


def test_a_replayed_ticket_is_refused_with_a_clear_message(alice):
    relay = post_from_another_site(sent(token_for(alice).token))
    browser = browser_of(alice)

    assert send_on(browser, relay).status_code == 302
    replay = send_on(browser, relay)

    assert replay.status_code == 409
    assert "already sent once" in replay.content.decode()
    assert "click “Save to Follow-up CRM” again" in replay.content.decode()
    assert CaptureDraft.objects.filter(owner=alice).count() == 1


def test_a_ticket_replayed_after_its_review_is_still_refused(alice, alice_client):
    relay = post_from_another_site(sent(token_for(alice).token))
    browser = browser_of(alice)
    assert browser.get(send_on(browser, relay).url).status_code == 200

    assert send_on(browser, relay).status_code == 409


def test_a_ticket_from_another_users_bookmarklet_is_refused(alice, bob):
    relay = post_from_another_site(sent(token_for(alice).token))

    response = send_on(browser_of(bob), relay)

    assert response.status_code == 403
    assert "bookmarklet of another account" in response.content.decode()
    assert not CaptureDraft.objects.exists()


def test_two_captures_in_a_row_each_open_their_form(alice, alice_client):
    first = capture(alice, sent(token_for(alice).token))
    second = capture(alice, sent(token_for(alice).token, url="https://vandelay.example/jobs/43"))

    assert first != second
    assert alice_client.get(first).context["form"]["posting_url"].value().endswith("/42")
    assert alice_client.get(second).context["form"]["posting_url"].value().endswith("/43")


def test_the_relay_post_needs_djangos_csrf_token(alice):
    action, fields = relay_form(post_from_another_site(sent(token_for(alice).token)))

    response = browser_of(alice).post(action, fields)

    assert response.status_code == 403
    assert not CaptureDraft.objects.exists()


def test_a_forged_or_expired_ticket_is_refused(alice):
    browser = browser_of(alice)
    relay = post_from_another_site(sent(token_for(alice).token))
    action, fields = relay_form(relay)
    token = browser.get(reverse("crm:capture-csrf")).json()["csrf_token"]

    forged = browser.post(
        action, fields | {"ticket": "x" + fields["ticket"], "csrfmiddlewaretoken": token}
    )
    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        late = send_on(browser, relay)

    assert forged.status_code == 400
    assert "did not come from your bookmarklet" in forged.content.decode()
    assert late.status_code == 400
    assert "more than an hour" in late.content.decode()
    assert not CaptureDraft.objects.exists()


def test_logged_out_the_relay_page_learns_it_must_log_in_first(db):
    answer = Client().get(reverse("crm:capture-csrf")).json()

    assert answer == {"logged_in": False, "csrf_token": ""}


def test_the_draft_opens_once(alice, alice_client):
    url = capture(alice, sent(token_for(alice).token))

    assert alice_client.get(url).status_code == 200
    again = alice_client.get(url)
    assert again.status_code == 410
    assert "opened already" in again.content.decode()
    assert CaptureDraft.objects.get().data == {}


def test_without_the_key_nothing_is_relayed(alice):
    for token in ("", "x" * 40, token_for(alice).token[:-1] + "?"):
        response = post_from_another_site(sent(token))
        assert response.status_code == 403
        assert "bookmarklet is out of date" in response.content.decode()
        assert "ticket" not in response.content.decode()
    assert not CaptureDraft.objects.exists()


def test_a_new_key_stops_the_old_bookmarklet(alice, alice_client):
    old = token_for(alice).token

    alice_client.post(reverse("crm:capture-new-token"))

    assert post_from_another_site(sent(old)).status_code == 403
    assert post_from_another_site(sent(token_for(alice).token)).status_code == 200


def test_another_users_draft_is_a_404(alice, bob_client):
    url = capture(alice, sent(token_for(alice).token))

    assert bob_client.get(url).status_code == 404
    assert CaptureDraft.objects.get(owner=alice).opened_at is None


def test_a_page_without_json_ld_uses_its_opengraph_tags_and_the_selection(alice, alice_client):
    data = sent(
        token_for(alice).token,
        jsonld="[]",
        title="Careers",
        meta=json.dumps({"og:title": "Support Lead", "og:site_name": "Kramerica"}),
        selection="Lead a team of five. Closing soon.",
    )

    form = alice_client.get(capture(alice, data)).context["form"]

    assert (form["title"].value(), form["company_name"].value()) == ("Support Lead", "Kramerica")
    assert form["description"].value() == "Lead a team of five. Closing soon."


def test_garbage_from_the_page_still_gives_a_form(alice, alice_client):
    data = sent(token_for(alice).token, jsonld="{not json", meta="[1,2", title="<b>x</b>" * 1000)

    response = alice_client.get(capture(alice, data))

    assert response.status_code == 200


def test_capturing_a_saved_posting_again_opens_it(alice, alice_client):
    application = make_application(alice, posting_url="https://careers.vandelay.example/jobs/42")

    response = alice_client.get(capture(alice, sent(token_for(alice).token)))

    assert response.status_code == 302
    assert response.url == reverse("crm:application-detail", args=[application.pk])


def test_text_selected_beside_a_described_posting_goes_to_the_notes(alice, alice_client):
    data = sent(token_for(alice).token, selection="Referral: ask Jerry")

    form = alice_client.get(capture(alice, data)).context["form"]

    assert form["description"].value() == "Import/export dashboards."
    assert form["notes"].value() == "Selected on the page:\nReferral: ask Jerry"
