"""crm.capture.read_posting (contract): a posting page in, the contract's dict out."""

from __future__ import annotations

import json
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crm.capture import read_posting
from crm.capture.structured import extract_posting

KEYS = {
    "company",
    "title",
    "location",
    "remote",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "closing_date",
    "description",
}


def test_a_json_ld_job_posting_fills_every_field(page_html):
    posting = read_posting(page_html("jsonld.html"), "https://acme.example/jobs/backend")

    assert posting == {
        "company": "Acme Robotics",
        "title": "Senior Backend Engineer",
        "location": "Berlin, BE, DE",
        "remote": "onsite",
        "salary_min": 70000,
        "salary_max": 90000,
        "salary_currency": "EUR",
        "salary_period": "year",
        "closing_date": date(2026, 3, 20),
        "description": "We build warehouse robots.\n\n• Python and Django\n• PostgreSQL",
    }


def test_a_job_posting_inside_a_graph_is_found_with_remote_and_day_rate(page_html):
    posting = read_posting(page_html("graph.html"), "https://jobs.globex.example/data")

    assert posting["title"] == "Data Engineer (Remote)"
    assert posting["company"] == "Globex Corporation"
    assert posting["remote"] == "remote"
    assert posting["location"] == "Portugal"
    assert (posting["salary_min"], posting["salary_max"]) == (550, 550)
    assert (posting["salary_currency"], posting["salary_period"]) == ("EUR", "day")
    assert posting["closing_date"] == date(2026, 4, 2)
    assert posting["description"] == "Pipelines & dashboards."


def test_a_page_with_only_opengraph_gives_title_and_company(page_html):
    posting = read_posting(page_html("opengraph.html"), "https://initech.example/jobs/9")

    assert posting["title"] == "Product Designer"
    assert posting["company"] == "Initech"
    assert posting["description"] == "Design the TPS report of the future. Hybrid, Austin."
    assert posting["closing_date"] is None
    assert posting["salary_min"] is None


def test_a_page_with_only_a_title_splits_job_and_company(page_html):
    posting = read_posting(page_html("title-only.html"), "https://umbrella.example/qa")

    assert (posting["title"], posting["company"]) == ("QA Analyst", "Umbrella Corp")


def test_hostile_description_html_comes_out_as_plain_text_without_scripts(page_html):
    posting = read_posting(page_html("hostile.html"), "https://evil.example/job")

    text = posting["description"]
    assert text.startswith("Keep things up.")
    assert "Apply" in text
    for bad in (
        "<",
        ">",
        "script",
        "onerror",
        "onclick",
        "alert",
        "cookie",
        "javascript",
        "display",
    ):
        assert bad not in text, bad
    assert posting["title"] == "Site Reliability Engineer"
    assert "<" not in posting["company"] and "onerror" not in posting["company"]


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "<",
        "<html>",
        "not html at all",
        '<?xml version="1.0" encoding="latin-1"?><html><title>x</title></html>',
        "<script type='application/ld+json'>{broken json</script>",
        "<script type='application/ld+json'>" + "[" * 100_000 + "</script>",
        '<script type=\'application/ld+json\'>{"@type": "JobPosting", "title": 12, '
        '"hiringOrganization": [], "baseSalary": {"value": {"minValue": "lots"}}, '
        '"validThrough": "someday", "jobLocation": 7, "description": {"a": 1}}</script>',
        '<script type=\'application/ld+json\'>{"@type": "JobPosting", '
        '"baseSalary": {"value": {"minValue": 1e400}}}</script>',
        "\x00\x01\x02<title>\x00</title>",
        "<title>" + "A" * 1_000_000 + "</title>",
    ],
)
def test_any_html_gives_the_contract_keys_and_never_raises(html):
    posting = read_posting(html, "https://example.com/job")

    assert set(posting) == KEYS
    assert posting["closing_date"] is None or isinstance(posting["closing_date"], date)
    assert posting["remote"] in (None, "onsite", "hybrid", "remote")


@pytest.mark.parametrize("value", [None, b"<title>Bytes at Co</title>", 12, ["x"]])
def test_wrong_argument_types_still_give_the_contract_keys(value):
    assert set(read_posting(value, None)) == KEYS


@given(st.text(max_size=500), st.text(max_size=50))
def test_random_text_never_raises(html, url):
    posting = read_posting(html, url)

    assert set(posting) == KEYS
    assert "<script" not in posting["description"].lower()


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "@type",
                    "@graph",
                    "title",
                    "hiringOrganization",
                    "name",
                    "jobLocation",
                    "address",
                    "baseSalary",
                    "value",
                    "minValue",
                    "unitText",
                    "validThrough",
                    "description",
                    "jobLocationType",
                    "employmentType",
                ]
            ),
            children,
            max_size=6,
        )
    ),
    max_leaves=30,
)


@given(JSON_VALUES)
def test_any_json_ld_shape_never_raises(data):
    if isinstance(data, dict):
        data["@type"] = "JobPosting"
    block = json.dumps(data, allow_nan=True).replace("</", "<\\/")
    posting = read_posting(f"<script type='application/ld+json'>{block}</script>", "")

    assert set(posting) == KEYS
    assert posting["salary_min"] is None or posting["salary_min"] >= 0


def test_salaries_are_read_from_text_and_kept_to_the_cent():
    block = (
        '{"@type": "JobPosting", "title": "Barista", "baseSalary": {"currency": "GBP", '
        '"value": {"minValue": "12.505", "maxValue": "£14,25k", "unitText": "HOUR"}}}'
    )
    posting = read_posting(f"<script type='application/ld+json'>{block}</script>", "")

    assert (posting["salary_min"], posting["salary_max"]) == (12.51, 14250)
    assert posting["salary_period"] == "hour"


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("120,000", 120000),
        ("1,234,567.89", 1234567.89),
        ("1.234.567,89", 1234567.89),
        ("95k", 95000),
        ("$85,000", 85000),
        ("45,50", 45.5),
        ("60 000", 60000),
        ("lots", None),
        ("-5", None),
    ],
)
def test_salary_figures_in_the_ways_postings_write_them(text, amount):
    from crm.capture.structured import number

    assert number(text) == amount


def test_a_posting_marked_up_with_microdata_is_read_like_json_ld(page_html):
    posting = read_posting(page_html("microdata.html"), "https://wayne.example/jobs/7")

    assert posting == {
        "company": "Wayne Enterprises",
        "title": "Security Analyst",
        "location": "Gotham, NJ",
        "remote": "onsite",
        "salary_min": 95000,
        "salary_max": 120000,
        "salary_currency": "USD",
        "salary_period": "year",
        "closing_date": date(2026, 6, 30),
        "description": "Watch the night shift.\n\n• SIEM\n• Incident response",
    }


def test_a_page_whose_body_is_the_microdata_item_is_read():
    page = (
        '<body itemscope itemtype="http://schema.org/JobPosting">'
        '<h1 itemprop="title">Night Nurse</h1>'
        + "<p>More about us.</p>" * 20_000
        + '<span itemprop="hiringOrganization">St. Elsewhere</span></body>'
    )

    posting = read_posting(page, "")

    assert posting["title"] == "Night Nurse"
    assert posting["company"] == "St. Elsewhere"


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ({"@type": "PropertyValue", "name": "Acme", "value": "R-123"}, "R-123"),
        ("REQ 77", "REQ 77"),
        (4012345, "4012345"),
        ([{"value": "first"}, {"value": "second"}], "first"),
        ({"value": {"nested": 1}}, ""),
        (True, ""),
    ],
)
def test_the_posting_date_and_reference_are_read_beside_the_contract_keys(identifier, expected):
    node = {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "title": "Engineer",
        "datePosted": "2026-02-20T09:00:00+01:00",
        "identifier": identifier,
    }
    html = f'<script type="application/ld+json">{json.dumps(node)}</script>'

    posting = extract_posting(html, "https://jobs.example/1")

    assert posting.posted_on == date(2026, 2, 20)
    assert posting.identifier == expected
    assert set(read_posting(html, "https://jobs.example/1")) == KEYS
