"""The public posting APIs of the big applicant-tracking boards: Greenhouse, Lever,
Ashby and Workable.

Their posting pages are rendered by scripts and often carry no JSON-LD, but each board
publishes the posting as JSON without a login. A link to a board's posting is turned
into its API URL (the base URLs are settings.CAPTURE_BOARD_APIS, which the tests point
at their local server), and the JSON into the same Posting a page gives.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import parse_qs, quote, urlsplit

from django.conf import settings

from crm.capture.structured import (
    Posting,
    currency_code,
    employment_type,
    guess_remote,
    number,
    parse_date,
    period,
)
from crm.capture.text import html_to_text, plain_line


@dataclass
class BoardLink:
    board: str  # greenhouse, lever, ashby, workable
    company: str  # the board's slug of the company
    job_id: str
    api_url: str

    @property
    def company_name(self) -> str:
        return " ".join(w.capitalize() for w in self.company.replace("_", "-").split("-") if w)


def _base(board: str) -> str:
    return settings.CAPTURE_BOARD_APIS[board].rstrip("/")


def _segments(path: str) -> list[str]:
    return [s for s in path.split("/") if s]


def _safe(value: str) -> str:
    return quote(value, safe="")


def board_link(url: object) -> BoardLink | None:
    """The board posting `url` links to, or None for any other page."""
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    path = _segments(parts.path)
    if host.endswith("greenhouse.io"):
        query = parse_qs(parts.query)
        if len(path) >= 3 and path[1] == "jobs" and path[2].isdigit():
            company, job = path[0], path[2]
        elif query.get("for") and query.get("token"):
            company, job = query["for"][0], query["token"][0]
        else:
            return None
        api = f"{_base('greenhouse')}/v1/boards/{_safe(company)}/jobs/{_safe(job)}"
        return BoardLink("greenhouse", company, job, api + "?pay_transparency=true")
    if host.endswith("lever.co") and host.startswith("jobs.") and len(path) >= 2:
        company, job = path[0], path[1]
        api = f"{_base('lever')}/v0/postings/{_safe(company)}/{_safe(job)}"
        return BoardLink("lever", company, job, api)
    if host == "jobs.ashbyhq.com" and len(path) >= 2:
        company, job = path[0], path[1]
        api = f"{_base('ashby')}/posting-api/job-board/{_safe(company)}?includeCompensation=true"
        return BoardLink("ashby", company, job, api)
    if host == "apply.workable.com" and len(path) >= 3 and path[1] == "j":
        company, job = path[0], path[2]
        api = f"{_base('workable')}/api/v2/accounts/{_safe(company)}/jobs/{_safe(job)}"
        return BoardLink("workable", company, job, api)
    return None


def read_board(link: BoardLink, data: object) -> Posting:
    """The posting in a board's API answer; an empty Posting for anything unexpected."""
    reader = {
        "greenhouse": _greenhouse,
        "lever": _lever,
        "ashby": _ashby,
        "workable": _workable,
    }[link.board]
    try:
        posting = reader(link, data) if isinstance(data, dict) else Posting()
    except (TypeError, ValueError, AttributeError, KeyError):
        posting = Posting()
    if not posting.is_empty:
        posting.company = posting.company or link.company_name
        posting.found_in = [f"{link.board.capitalize()}'s posting API"]
        posting.source = link.board.capitalize()
    return posting


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _greenhouse(link: BoardLink, data: dict) -> Posting:
    posting = Posting(
        title=plain_line(data.get("title")),
        company=plain_line(data.get("company_name")),
        location=plain_line(_dict(data.get("location")).get("name")),
        description=html_to_text(data.get("content")),
    )
    ranges = data.get("pay_input_ranges")
    if isinstance(ranges, list) and ranges and isinstance(ranges[0], dict):
        pay = ranges[0]
        low, high = number(pay.get("min_cents")), number(pay.get("max_cents"))
        posting.salary_min = number(low / 100) if low is not None else None
        posting.salary_max = number(high / 100) if high is not None else None
        posting.salary_currency = currency_code(pay.get("currency_type"))
        posting.salary_period = "year"
    posting.remote = guess_remote(posting.title, posting.location, has_place=bool(posting.location))
    return posting


LEVER_WORKPLACE = {"remote": "remote", "hybrid": "hybrid", "onsite": "onsite", "on-site": "onsite"}


def _lever(link: BoardLink, data: dict) -> Posting:
    categories = _dict(data.get("categories"))
    parts = [data.get("description") or data.get("descriptionPlain") or ""]
    for item in data.get("lists") or []:
        if isinstance(item, dict):
            parts.append(
                f"<h3>{plain_line(item.get('text'))}</h3><ul>{item.get('content', '')}</ul>"
            )
    parts.append(data.get("additional") or data.get("additionalPlain") or "")
    posting = Posting(
        title=plain_line(data.get("text")),
        location=plain_line(categories.get("location")),
        description=html_to_text("".join(p for p in parts if isinstance(p, str))),
        employment_type=employment_type(categories.get("commitment")),
    )
    workplace = str(data.get("workplaceType") or "").lower()
    posting.remote = LEVER_WORKPLACE.get(workplace) or guess_remote(
        posting.title, posting.location, has_place=bool(posting.location)
    )
    salary = _dict(data.get("salaryRange"))
    if salary:
        posting.salary_min, posting.salary_max = (
            number(salary.get("min")),
            number(salary.get("max")),
        )
        posting.salary_currency = currency_code(salary.get("currency"))
        interval = str(salary.get("interval") or "").lower()
        posting.salary_period = next(
            (p for p in ("hour", "day", "week", "month", "year") if p in interval), ""
        )
    return posting


ASHBY_WORKPLACE = {"remote": "remote", "hybrid": "hybrid", "onsite": "onsite"}


def _ashby(link: BoardLink, data: dict) -> Posting:
    jobs = data.get("jobs")
    if not isinstance(jobs, list):
        jobs = [data]
    job = next(
        (j for j in jobs if isinstance(j, dict) and str(j.get("id")) == link.job_id),
        None,
    )
    if job is None:
        return Posting()
    posting = Posting(
        title=plain_line(job.get("title")),
        location=plain_line(job.get("location")),
        description=html_to_text(job.get("descriptionHtml") or job.get("descriptionPlain")),
        employment_type=employment_type(job.get("employmentType")),
    )
    workplace = str(job.get("workplaceType") or "").lower().replace("-", "").replace(" ", "")
    posting.remote = ASHBY_WORKPLACE.get(workplace) or (
        "remote" if job.get("isRemote") is True else guess_remote(posting.title, posting.location)
    )
    compensation = _dict(job.get("compensation"))
    for component in compensation.get("summaryComponents") or []:
        if isinstance(component, dict) and component.get("compensationType") == "Salary":
            posting.salary_min = number(component.get("minValue"))
            posting.salary_max = number(component.get("maxValue"))
            posting.salary_currency = currency_code(component.get("currencyCode"))
            posting.salary_period = period(str(component.get("interval") or ""))
            break
    return posting


WORKABLE_WORKPLACE = {"remote": "remote", "hybrid": "hybrid", "on_site": "onsite"}
WORKABLE_TYPES = {"full": "FULL_TIME", "part": "PART_TIME", "contract": "CONTRACTOR"}


def _workable(link: BoardLink, data: dict) -> Posting:
    location = _dict(data.get("location"))
    place = ", ".join(
        p for p in (plain_line(location.get(k)) for k in ("city", "region", "country")) if p
    )
    parts = [data.get(k) for k in ("description", "requirements", "benefits")]
    posting = Posting(
        title=plain_line(data.get("title")),
        location=place,
        description=html_to_text("".join(p for p in parts if isinstance(p, str))),
        employment_type=WORKABLE_TYPES.get(str(data.get("type") or "").lower(), ""),
        closing_date=parse_date(data.get("deadline")),
    )
    posting.remote = WORKABLE_WORKPLACE.get(str(data.get("workplace") or "").lower()) or (
        "remote" if data.get("remote") is True else guess_remote(posting.title, place)
    )
    return posting
