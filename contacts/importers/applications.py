"""An applications CSV from a spreadsheet or another tracker, with a column-mapping step."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import cast

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from contacts.importers.csvfile import (
    BATCH_SIZE,
    CsvFile,
    ImportFileError,
    Record,
    normalise_header,
    read_csv,
)
from contacts.importers.plan import (
    ImportPlan,
    ImportResult,
    Journal,
    PreviewRow,
    RowStatus,
    import_failed,
)
from contacts.importers.values import (
    company_key,
    is_ambiguous_date,
    parse_date,
    resolve_date_order,
    too_long,
    url_validator,
    with_scheme,
)
from crm.capture.duplicates import (
    DUPLICATE_WINDOW_DAYS,
    DuplicateIndex,
    days_apart,
    job_key,
    older_than_window,
    saved_and_applied,
)
from crm.capture.link import normalise_url
from crm.concurrency import save_new_companies
from crm.models import (
    HISTORIC_APPLICATION_DAYS,
    Company,
    JobApplication,
    Profile,
    is_historic_application,
)

# Applications CSV -------------------------------------------------------------------

APPLICATION_FIELDS = (
    ("company", "Company"),
    ("title", "Job title"),
    ("status", "Status"),
    ("applied_on", "Applied on"),
    ("posting_url", "Posting URL"),
    ("notes", "Notes"),
    # What the posting says (crm/capture/, docs/capture.md)
    ("location", "Location"),
    ("remote", "Remote"),
    ("salary_min", "Salary min"),
    ("salary_max", "Salary max"),
    ("salary_currency", "Currency"),
    ("salary_period", "Salary period"),
    ("closing_date", "Closing date"),
    ("source", "Source"),
    ("employment_type", "Employment type"),
    ("description", "Job description"),
)
# The values a matched row updates when the file has them.
APPLICATION_UPDATES = (
    "status",
    "applied_on",
    "posting_url",
    "notes",
    "location",
    "remote",
    "salary_min",
    "salary_max",
    "salary_currency",
    "salary_period",
    "closing_date",
    "source",
    "employment_type",
    "description",
)
REQUIRED_APPLICATION_FIELDS = ("company", "title")
APPLICATIONS_EXPECTED = (
    "a CSV file whose first line names the columns, such as "
    "Company, Job Title, Status, Date Applied, URL, Notes"
)
# Column names other trackers (spreadsheets, Huntr, Teal, Simplify…) use for our fields.
COLUMN_SYNONYMS = {
    "company": ["company", "company name", "employer", "organization", "organisation", "org"],
    "title": ["title", "job title", "position", "role", "job", "job position", "job name"],
    "status": ["status", "stage", "state", "application status", "list"],
    "applied_on": [
        "applied on",
        "date applied",
        "applied",
        "applied date",
        "application date",
        "date",
    ],
    "posting_url": ["url", "link", "job url", "posting url", "job link", "job posting", "posting"],
    "notes": ["notes", "note", "comments", "comment", "description"],
    "location": ["location", "job location", "city"],
    "remote": ["remote", "workplace", "work type", "location type", "remote/onsite"],
    "salary_min": ["salary min", "min salary", "minimum salary", "salary from", "salary"],
    "salary_max": ["salary max", "max salary", "maximum salary", "salary to"],
    "salary_currency": ["currency", "salary currency"],
    "salary_period": ["salary period", "pay period", "salary unit"],
    "closing_date": ["closing date", "deadline", "apply by", "closes", "valid through"],
    "source": ["source", "found on", "job board", "where found"],
    "employment_type": ["employment type", "job type", "contract type", "type of employment"],
    # A lone "Description" column is the notes (spreadsheets use it so): the notes take
    # it first. Beside a Notes column (our own export) it is the posting's description.
    "description": ["job description", "posting description", "posting text", "description"],
}
REMOTE_SYNONYMS = {
    "remote": "remote",
    "fully remote": "remote",
    "hybrid": "hybrid",
    "onsite": "onsite",
    "on-site": "onsite",
    "on site": "onsite",
    "office": "onsite",
    "in office": "onsite",
}
# Status words of other trackers that mean one of ours without doubt. Anything else is
# reported on its row instead of guessed.
STATUS_SYNONYMS = {
    **{value: value for value in JobApplication.Status.values},
    **{label.lower(): value for value, label in JobApplication.Status.choices},
    "wish list": "wishlist",
    "bookmarked": "wishlist",
    "saved": "wishlist",
    "to apply": "wishlist",
    "submitted": "applied",
    "application submitted": "applied",
    "interview": "interviewing",
    "interviews": "interviewing",
    "phone screen": "interviewing",
    "offered": "offer",
    "offer received": "offer",
    "negotiating": "offer",
    "rejection": "rejected",
    "not selected": "rejected",
    "withdrew": "withdrawn",
    "i withdrew": "withdrawn",
    "hired": "accepted",
    "offer accepted": "accepted",
    # Teal, Huntr and Notion templates, and the words spreadsheets use.
    "applying": "wishlist",
    "not started": "wishlist",
    "not applied": "wishlist",
    "in progress": "wishlist",
    "interested": "wishlist",
    "researching": "wishlist",
    "to do": "wishlist",
    "todo": "wishlist",
    "draft": "wishlist",
    "sent": "applied",
    "waiting": "applied",
    "pending": "applied",
    "under review": "applied",
    "in review": "applied",
    "awaiting response": "applied",
    # No answer is not a rejection: kept as applied, the check-in rule (R8) reminds you to
    # ask, which is what the article advises after silence.
    "no response": "applied",
    "no reply": "applied",
    "no answer": "applied",
    "ghosted": "applied",
    "screening": "interviewing",
    "phone interview": "interviewing",
    "recruiter screen": "interviewing",
    "interview scheduled": "interviewing",
    "interviewing scheduled": "interviewing",
    "technical interview": "interviewing",
    "onsite": "interviewing",
    "on-site": "interviewing",
    "final round": "interviewing",
    "assessment": "interviewing",
    "take home": "interviewing",
    "offer extended": "offer",
    "offer made": "offer",
    "negotiation": "offer",
    "rejected by company": "rejected",
    "not moving forward": "rejected",
    "no offer": "rejected",
    "turned down": "rejected",
    "withdrew application": "withdrawn",
    "not interested": "withdrawn",
    "accepted offer": "accepted",
    "got the job": "accepted",
}


def status_key(word: str) -> str:
    return company_key(word).strip(" .!")


def default_status_map(words: list[str]) -> dict[str, str]:
    """Each status word of the file → our status, "" when it means none for sure."""
    return {status_key(w): STATUS_SYNONYMS.get(status_key(w), "") for w in words if w.strip()}


@dataclass
class ApplicationsFile:
    headers: list[str]
    records: list[Record]
    delimiter: str
    csvfile: CsvFile | None = None

    def guess_mapping(self) -> dict[str, int | None]:
        return _guess_mapping(self.headers)


def _guess_mapping(headers: list[str]) -> dict[str, int | None]:
    names = [normalise_header(h) for h in headers]
    mapping: dict[str, int | None] = {}
    for target, synonyms in COLUMN_SYNONYMS.items():
        mapping[target] = next(
            (
                names.index(s)
                for s in synonyms
                if s in names and names.index(s) not in mapping.values()
            ),
            None,
        )
    return mapping


def _names_a_known_column(names: list[str]) -> bool:
    # A first line that names neither the company nor the job is data, not a header.
    guessed = _guess_mapping(names)
    return guessed["company"] is not None or guessed["title"] is not None


def parse_applications(raw: bytes) -> ApplicationsFile:
    """Header and data records of an applications CSV; its first line names the columns."""
    csvfile = read_csv(
        raw,
        expected=APPLICATIONS_EXPECTED,
        is_header=_names_a_known_column,
        search=1,
        not_found=(
            f"The first line does not name any column we know. Expected {APPLICATIONS_EXPECTED}."
        ),
    )
    if not csvfile.records:
        raise ImportFileError(
            f"The file has a header line but no rows. Expected {APPLICATIONS_EXPECTED}."
        )
    return ApplicationsFile(csvfile.headers, csvfile.records, csvfile.delimiter, csvfile)


# The description is too long for a preview cell: the row's other columns identify it.
APPLICATION_PREVIEW_COLUMNS = [(n, label) for n, label in APPLICATION_FIELDS if n != "description"]


@dataclass
class ApplicationsPlan(ImportPlan):
    owner: User | None = None
    cleaned: list[dict] = field(default_factory=list)
    companies: dict[str, Company] = field(default_factory=dict)
    today: date | None = None

    @property
    def historic_count(self) -> int:
        """Rows applied for so long ago that no application check will be scheduled."""
        return sum(
            1
            for cleaned, row in zip(self.cleaned, self.rows, strict=True)
            if not row.is_rejected and _is_historic(cleaned, self.today)
        )


def _is_historic(cleaned: dict, today: date | None) -> bool:
    return (
        today is not None
        and cleaned.get("status", JobApplication.Status.APPLIED) == JobApplication.Status.APPLIED
        and is_historic_application(cleaned.get("applied_on"), today)
    )


def _clean_application(
    values: dict[str, str],
    preview: PreviewRow,
    *,
    status_map: dict[str, str],
    date_order: str | None,
) -> dict:
    cleaned: dict[str, object] = {"company": values["company"], "title": values["title"]}
    for name, label in (("company", "Company"), ("title", "Job title")):
        if not values[name]:
            preview.reject(f"{label} is empty.")
    status = values["status"]
    if not status:
        cleaned["status"] = JobApplication.Status.APPLIED
        preview.warnings.append("No status: imported as “Applied”.")
    elif status_map.get(status_key(status)):
        cleaned["status"] = status_map[status_key(status)]
    else:
        known = ", ".join(JobApplication.Status.labels)
        preview.reject(
            f"Unknown status “{status}”; choose what it means above, or use one of {known}."
        )
    cleaned["applied_on"] = None
    if values["applied_on"]:
        if date_order is None and is_ambiguous_date(values["applied_on"]):
            preview.warnings.append("Applied on: day/month or month/day? Choose it above.")
        else:
            try:
                cleaned["applied_on"] = parse_date(values["applied_on"], date_order)
            except ValueError as error:
                preview.reject(f"Applied on: {error}.")
    values["posting_url"] = cleaned["posting_url"] = with_scheme(values["posting_url"])
    if values["posting_url"]:
        try:
            url_validator(values["posting_url"])
        except ValidationError:
            preview.reject(f"“{values['posting_url']}” is not a web address.")
    cleaned["notes"] = values["notes"]
    _clean_posting_values(values, preview, cleaned)
    for label, name, model, model_field in (
        ("The company name", "company", Company, "name"),
        ("The job title", "title", JobApplication, "title"),
        ("The posting URL", "posting_url", JobApplication, "posting_url"),
        ("The location", "location", JobApplication, "location"),
        ("The source", "source", JobApplication, "source"),
    ):
        problem = too_long(label, values[name], model, model_field)
        if problem:
            preview.reject(problem)
    return cleaned


def _clean_posting_values(values: dict[str, str], preview: PreviewRow, cleaned: dict) -> None:
    """The posting's columns: location, remote, salary, closing date, source, employment
    type and description (as plain text, like a captured one)."""
    from crm.capture.structured import employment_type, number, period
    from crm.capture.text import html_to_text

    cleaned["location"] = values["location"]
    cleaned["source"] = values["source"]
    cleaned["description"] = html_to_text(values["description"]) if values["description"] else ""
    cleaned["employment_type"] = employment_type(values["employment_type"])
    if values["employment_type"] and not cleaned["employment_type"]:
        preview.warnings.append(
            f"Employment type “{values['employment_type']}” not understood: left empty."
        )
    remote = company_key(values["remote"]) if values["remote"] else ""
    cleaned["remote"] = REMOTE_SYNONYMS.get(remote, "")
    if remote and not cleaned["remote"]:
        preview.warnings.append(f"Remote “{values['remote']}” not understood: left empty.")
    for name, label in (("salary_min", "Salary min"), ("salary_max", "Salary max")):
        cleaned[name] = None
        if values[name]:
            cleaned[name] = number(values[name])
            if cleaned[name] is None:
                preview.reject(f"{label}: “{values[name]}” is not an amount.")
    currency = values["salary_currency"].strip().upper()
    cleaned["salary_currency"] = currency
    if currency and not (len(currency) == 3 and currency.isalpha()):
        preview.reject(f"Currency “{values['salary_currency']}” is not a code such as EUR.")
    cleaned["salary_period"] = period(values["salary_period"])
    if values["salary_period"] and not cleaned["salary_period"]:
        preview.warnings.append(
            f"Salary period “{values['salary_period']}” not understood: left empty."
        )
    cleaned["closing_date"] = None
    if values["closing_date"]:
        try:
            cleaned["closing_date"] = parse_date(values["closing_date"])
        except ValueError as error:
            preview.reject(f"Closing date: {error}.")


def plan_applications(
    owner: User,
    raw: bytes,
    mapping: dict[str, int | None],
    *,
    status_map: dict[str, str] | None = None,
    date_order: str | None = None,
) -> ApplicationsPlan:
    """What importing `raw` with the column `mapping` would do: bounded reads, no writes.

    `status_map` (file word → our status) overrides the synonyms for the words it names;
    `date_order` is the user's answer when the file's dates never say (date_order_of).
    """
    parsed = parse_applications(raw)
    today = timezone.now().astimezone(Profile.for_user(owner).zone).date()
    companies = {company_key(c.name): c for c in Company.objects.filter(owner=owner)}
    # The duplicate check of every way an application is made (crm/capture/duplicates.py).
    known = DuplicateIndex(JobApplication.objects.filter(owner=owner).select_related("company"))

    def cell(record: Record, target: str) -> str:
        index = mapping.get(target)
        if index is None or index >= len(record.cells):
            return ""
        return record.cells[index].strip()

    all_values = [
        {target: cell(record, target) for target, _ in APPLICATION_FIELDS}
        for record in parsed.records
    ]
    words = list(dict.fromkeys(v["status"] for v in all_values if v["status"]))
    statuses = {**default_status_map(words), **(status_map or {})}
    dates = resolve_date_order([v["applied_on"] for v in all_values], date_order)
    rows: list[PreviewRow] = []
    cleaned_rows: list[dict] = []
    seen_urls: dict[str, int] = {}
    seen_jobs: dict[tuple[str, str], list[tuple[date | None, int]]] = {}
    for record, values in zip(parsed.records, all_values, strict=True):
        preview = PreviewRow(line=record.line, values=values)
        cleaned = _clean_application(values, preview, status_map=statuses, date_order=dates.order)
        key = job_key(values["company"], values["title"])
        url_key = normalise_url(values["posting_url"]) if values["posting_url"] else ""
        applied_on = cleaned.get("applied_on")
        if not preview.is_rejected:
            # Two rows of one file are saved the same day: one job twice, unless both say
            # when they were applied for and those days are more than the window apart
            # (a re-application in a tracker's history).
            earlier = [
                line
                for day, line in seen_jobs.get(key, [])
                if not (day and applied_on) or days_apart(day, applied_on)
            ]
            if earlier:
                preview.reject(f"The same company and job title as line {earlier[0]}.")
            elif url_key and url_key in seen_urls:
                preview.reject(f"The same posting URL as line {seen_urls[url_key]}.")
            seen_jobs.setdefault(key, []).append((applied_on, record.line))
            if url_key:
                seen_urls.setdefault(url_key, record.line)
        if not preview.is_rejected:
            preview.new_company = key[0] not in companies
            duplicate = known.find(
                url=values["posting_url"],
                company=values["company"],
                title=values["title"],
                today=today,
                applied_on=applied_on,
            )
            if duplicate is not None:
                application = duplicate.application
                preview.status = RowStatus.MATCH
                preview.matched = application
                preview.changes = [
                    f"{name.replace('_', ' ')}: {str(cleaned[name])[:80] or '—'}"
                    for name in APPLICATION_UPDATES
                    if cleaned[name] and getattr(application, name) != cleaned[name]
                ]
                # Flagged before saving: the row updates that application.
                preview.warnings.append(
                    f"Already in your applications. {saved_and_applied(application)}"
                )
            elif older := known.same_job(values["company"], values["title"]):
                preview.warnings.append(
                    f"You have this job from {older_than_window(older[-1])}, more than "
                    f"{DUPLICATE_WINDOW_DAYS} days apart: this row adds a new application."
                )
        if not preview.is_rejected and _is_historic(cleaned, today):
            preview.warnings.append(
                f"Applied more than {HISTORIC_APPLICATION_DAYS} days ago: "
                "no follow-up will ask about it."
            )
        rows.append(preview)
        cleaned_rows.append(cleaned)
    return ApplicationsPlan(
        kind="applications",
        rows=rows,
        columns=APPLICATION_PREVIEW_COLUMNS,
        date_order=dates.order,
        date_order_inferred=dates.inferred,
        date_order_needed=dates.needed,
        status_words=[(word, statuses.get(status_key(word), "")) for word in words],
        encoding_label=parsed.csvfile.encoding_label if parsed.csvfile else "",
        delimiter_label=parsed.csvfile.delimiter_label if parsed.csvfile else "",
        samples=[
            f"{r.values['title']} at {r.values['company']}" for r in rows if not r.is_rejected
        ][:5],
        owner=owner,
        cleaned=cleaned_rows,
        companies=companies,
        today=today,
    )


def commit_applications(plan: ApplicationsPlan, *, journal: Journal | None = None) -> ImportResult:
    """Writes the plan in one transaction. Applications go through save() so the rules
    see them (an `applied` application schedules its check, docs/rules.md#r8). The
    worker's batches pass a `journal` that records what was written."""
    plan.check_committable()
    owner = plan.owner
    companies = dict(plan.companies)
    result = ImportResult(rejected=plan.rejected_count)
    try:
        with transaction.atomic():
            new_companies = {}
            for cleaned, preview in zip(plan.cleaned, plan.rows, strict=True):
                key = company_key(cleaned["company"])
                if not preview.is_rejected and key not in companies and key not in new_companies:
                    new_companies[key] = Company(
                        owner=owner, name=" ".join(cleaned["company"].split())
                    )
            save_new_companies(owner, new_companies.values(), batch_size=BATCH_SIZE)
            if journal is not None:
                journal.add(new_companies.values())
            companies.update(new_companies)
            result.companies_created = len(new_companies)
            for cleaned, preview in zip(plan.cleaned, plan.rows, strict=True):
                if preview.is_rejected:
                    continue
                if preview.status == RowStatus.MATCH:
                    application = cast(JobApplication, preview.matched)
                    result.updated += 1
                    if not preview.changes:
                        continue
                    if journal is not None:
                        journal.remember(application, APPLICATION_UPDATES)
                else:
                    application = JobApplication(
                        owner=owner,
                        company=companies[company_key(cleaned["company"])],
                        title=cleaned["title"],
                    )
                    result.created += 1
                for name in APPLICATION_UPDATES:
                    if cleaned[name]:
                        setattr(application, name, cleaned[name])
                new = application.pk is None
                application.save()
                if new and journal is not None:
                    journal.add([application])
    except IntegrityError as error:
        raise import_failed(error) from error
    return result
