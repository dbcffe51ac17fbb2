"""An applications CSV from a spreadsheet or another tracker, with a column-mapping step."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts.importers.csvfile import (
    BATCH_SIZE,
    CsvFile,
    ImportFileError,
    Record,
    normalise_header,
    read_csv,
)
from contacts.importers.plan import ImportPlan, ImportResult, PreviewRow, RowStatus, import_failed
from contacts.importers.values import (
    company_key,
    is_ambiguous_date,
    parse_date,
    resolve_date_order,
    too_long,
    url_validator,
    with_scheme,
)
from crm.models import Company, JobApplication

# Applications CSV -------------------------------------------------------------------

APPLICATION_FIELDS = (
    ("company", "Company"),
    ("title", "Job title"),
    ("status", "Status"),
    ("applied_on", "Applied on"),
    ("posting_url", "Posting URL"),
    ("notes", "Notes"),
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


APPLICATION_PREVIEW_COLUMNS = list(APPLICATION_FIELDS)


@dataclass
class ApplicationsPlan(ImportPlan):
    owner: object = None
    cleaned: list[dict] = field(default_factory=list)
    companies: dict[str, Company] = field(default_factory=dict)


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
    for label, name, model, model_field in (
        ("The company name", "company", Company, "name"),
        ("The job title", "title", JobApplication, "title"),
        ("The posting URL", "posting_url", JobApplication, "posting_url"),
    ):
        problem = too_long(label, values[name], model, model_field)
        if problem:
            preview.reject(problem)
    return cleaned


def plan_applications(
    owner,
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
    companies = {company_key(c.name): c for c in Company.objects.filter(owner=owner)}
    existing: dict[tuple[str, str], JobApplication] = {}
    by_url: dict[str, JobApplication] = {}
    for application in JobApplication.objects.filter(owner=owner).select_related("company"):
        existing.setdefault(
            (company_key(application.company.name), company_key(application.title)), application
        )
        if application.posting_url:
            by_url.setdefault(application.posting_url.strip().lower(), application)

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
    rows, cleaned_rows, seen = [], [], {}
    for record, values in zip(parsed.records, all_values, strict=True):
        preview = PreviewRow(line=record.line, values=values)
        cleaned = _clean_application(values, preview, status_map=statuses, date_order=dates.order)
        key = (company_key(values["company"]), company_key(values["title"]))
        url_key = values["posting_url"].lower()
        if not preview.is_rejected:
            if key in seen:
                preview.reject(f"The same company and job title as line {seen[key]}.")
            seen.setdefault(key, record.line)
        if not preview.is_rejected:
            preview.new_company = key[0] not in companies
            application = (by_url.get(url_key) if url_key else None) or existing.get(key)
            if application is not None:
                preview.status = RowStatus.MATCH
                preview.matched = application
                preview.changes = [
                    f"{name.replace('_', ' ')}: {cleaned[name] or '—'}"
                    for name in ("status", "applied_on", "posting_url", "notes")
                    if cleaned[name] and getattr(application, name) != cleaned[name]
                ]
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
    )


def commit_applications(plan: ApplicationsPlan) -> ImportResult:
    """Writes the plan in one transaction. Applications go through save() so the rules
    see them (an `applied` application schedules its check, R8)."""
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
            Company.objects.bulk_create(new_companies.values(), batch_size=BATCH_SIZE)
            companies.update(new_companies)
            result.companies_created = len(new_companies)
            for cleaned, preview in zip(plan.cleaned, plan.rows, strict=True):
                if preview.is_rejected:
                    continue
                if preview.status == RowStatus.MATCH:
                    application = preview.matched
                    result.updated += 1
                    if not preview.changes:
                        continue
                else:
                    application = JobApplication(
                        owner=owner,
                        company=companies[company_key(cleaned["company"])],
                        title=cleaned["title"],
                    )
                    result.created += 1
                for name in ("status", "applied_on", "posting_url", "notes"):
                    if cleaned[name]:
                        setattr(application, name, cleaned[name])
                application.save()
    except IntegrityError as error:
        raise import_failed(error) from error
    return result
