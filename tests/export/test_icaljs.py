"""The calendar feed and the vCard export as Mozilla's ical.js reads them (issue 14: the
parser Thunderbird uses). Runs node on tests/js/read_with_icaljs.mjs; skipped with a
message when node or ical.js is not installed, required when CI=true (.ci/run installs
both: nodejs from Debian, ical.js pinned in tests/js/package.json)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.urls import reverse

from crm.models import Profile
from tests.factories import make_application, make_company, make_contact, make_followup

pytestmark = pytest.mark.django_db

JS = Path(__file__).resolve().parent.parent / "js"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _icaljs_missing() -> str:
    if shutil.which("node") is None:
        return "node is not installed (apt-get install nodejs)"
    if not (JS / "node_modules" / "ical.js" / "package.json").exists():
        return "ical.js is not installed (npm ci --prefix tests/js)"
    return ""


@pytest.fixture
def icaljs(tmp_path):
    missing = _icaljs_missing()
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI must read the files with ical.js, but {missing}.")
        pytest.skip(missing)

    def read(content: bytes, suffix: str) -> list[dict]:
        path = tmp_path / f"file{suffix}"
        path.write_bytes(content)
        done = subprocess.run(
            ["node", str(JS / "read_with_icaljs.mjs"), str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)

    return read


def properties(component: dict) -> dict[str, list[str]]:
    return {p["name"]: p["values"] for p in component["properties"]}


def test_icaljs_reads_the_feed_with_every_value_typed(alice, client, icaljs):
    with time_machine.travel(NOW):
        acme = make_company(alice, name="Acme; Sons")
        dana = make_contact(alice, first_name="Dana", last_name="Lee", company=acme)
        application = make_application(alice, company=acme, title="Backend, remote")
        make_followup(alice, contact=dana, application=application, due_at=NOW + timedelta(days=2))
        token = Profile.for_user(alice).calendar_token
        content = client.get(reverse("followups:calendar-feed", args=[token])).content

    (calendar,) = icaljs(content, ".ics")

    assert calendar["name"] == "vcalendar"
    top = properties(calendar)
    assert top["refresh-interval"] == ["PT1H"]
    assert top["x-published-ttl"] == ["PT1H"]
    events = [c for c in calendar["components"] if c["name"] == "vevent"]
    (dana_event,) = [e for e in events if "Dana Lee" in properties(e)["summary"][0]]
    event = properties(dana_event)
    assert event["summary"] == ["Follow up: Dana Lee (Acme; Sons)"]
    assert event["dtstart"] == ["2026-11-28T12:00:00Z"]
    assert event["sequence"] == ["0"]
    assert [c["name"] for c in dana_event["components"]] == ["valarm"]


def test_icaljs_reads_an_empty_accounts_feed_as_a_calendar(alice, client, icaljs):
    token = Profile.for_user(alice).calendar_token
    content = client.get(reverse("followups:calendar-feed", args=[token])).content

    (calendar,) = icaljs(content, ".ics")

    assert [c["name"] for c in calendar["components"]] == ["vtimezone"]


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_icaljs_reads_the_vcard_export_without_stray_backslashes(
    alice, alice_client, icaljs, version
):
    make_contact(
        alice,
        first_name="Priya",
        last_name="Natarajan",
        email="priya@acme.example",
        company=make_company(alice, name="Acme"),
        title="Recruiter; Talent",
        phone="+49 30 1234567",
        linkedin_url="https://www.linkedin.com/in/priya",
        notes="Met at PyCon; prefers email.",
    )
    url = reverse("followups:export-contacts-vcard") + f"?version={version}"

    (card,) = icaljs(alice_client.get(url).content, ".vcf")

    assert card["name"] == "vcard"
    values = properties(card)
    assert values["version"] == [version]
    assert values["fn"] == ["Priya Natarajan"]
    assert values["title"] == ["Recruiter; Talent"]
    assert values["note"] == ["Met at PyCon; prefers email."]
    assert values["email"] == ["priya@acme.example"]
