"""Reading a posting page: schema.org JobPosting in JSON-LD first, OpenGraph and <title>
as a last resort.

The page is parsed by lxml and the JSON-LD blocks by the json module; nothing here
matches regular expressions against HTML. Every function takes whatever a page holds
(wrong types, broken JSON, deep nesting) and returns what it could read: the contract
(`read_posting`, DESIGN.md) is that it never raises.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import urlsplit

import lxml.html
from lxml import etree

from crm.capture.text import html_to_text, plain_line

# The contract's keys (DESIGN.md, "posting capture"), in order.
CONTRACT_KEYS = (
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
)
MAX_PAGE_CHARS = 10_000_000
MAX_JSON_NODES = 20_000
EMPLOYMENT_TYPES = {
    "FULL_TIME",
    "PART_TIME",
    "CONTRACTOR",
    "TEMPORARY",
    "INTERN",
    "VOLUNTEER",
    "PER_DIEM",
    "OTHER",
}
EMPLOYMENT_SYNONYMS = {
    "FULLTIME": "FULL_TIME",
    "PARTTIME": "PART_TIME",
    "CONTRACT": "CONTRACTOR",
    "CONTRACTOR": "CONTRACTOR",
    "FREELANCE": "CONTRACTOR",
    "TEMP": "TEMPORARY",
    "INTERNSHIP": "INTERN",
    "PERDIEM": "PER_DIEM",
}
PERIODS = {
    "HOUR": "hour",
    "HOURLY": "hour",
    "DAY": "day",
    "DAILY": "day",
    "WEEK": "week",
    "WEEKLY": "week",
    "MONTH": "month",
    "MONTHLY": "month",
    "YEAR": "year",
    "YEARLY": "year",
    "ANNUAL": "year",
    "ANNUALLY": "year",
    "ANNUM": "year",
}


@dataclass
class Posting:
    """What a page says about the job; the contract's keys plus what the form also uses."""

    company: str = ""
    title: str = ""
    location: str = ""
    remote: str | None = None
    salary_min: int | float | None = None
    salary_max: int | float | None = None
    salary_currency: str = ""
    salary_period: str = ""
    closing_date: date | None = None
    description: str = ""
    employment_type: str = ""
    source: str = ""
    notes: str = ""  # the text the user selected on the page, when it is not the description
    posted_on: date | None = None  # JSON-LD datePosted
    identifier: str = ""  # JSON-LD identifier: the employer's own reference for the job
    found_in: list[str] = field(default_factory=list)

    def as_contract(self) -> dict:
        return {key: getattr(self, key) for key in CONTRACT_KEYS}

    def fill_from(self, other: Posting) -> None:
        """Takes `other`'s values for the fields this one lacks."""
        for key in (*CONTRACT_KEYS, "employment_type", "source", "posted_on", "identifier"):
            if getattr(self, key) in (None, "") and getattr(other, key) not in (None, ""):
                setattr(self, key, getattr(other, key))
        self.found_in += [f for f in other.found_in if f not in self.found_in]

    @property
    def is_empty(self) -> bool:
        return not (self.title or self.company)

    @property
    def notes_text(self) -> str:
        """The form's notes: when it was posted, its reference, what was selected."""
        lines = [
            f"Posted on {self.posted_on.day} {self.posted_on:%b %Y}." if self.posted_on else "",
            f"Posting reference: {self.identifier}" if self.identifier else "",
            self.notes,
        ]
        return "\n".join(line for line in lines if line)


# Entry points -------------------------------------------------------------------------


def read_posting(html: str, url: str) -> dict:
    """The posting on a page as the contract's dict (DESIGN.md); never raises."""
    return extract_posting(html, url).as_contract()


def extract_posting(html: object, url: object = "", *, json_ld: Sequence[str] = ()) -> Posting:
    """Everything read from a page: JSON-LD first, then OpenGraph/<title> for the gaps.

    `json_ld` are blocks sent separately (the bookmarklet sends the page's blocks, which
    a script may have added after load, beside the page's title).
    """
    try:
        return _extract(html, url, json_ld)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # a hostile page must not break capture
        # nh3 reports a Rust panic as a BaseException; lxml and json have their own.
        return Posting(source=_source_of(url))


def _extract(html: object, url: object, json_ld) -> Posting:
    url = url if isinstance(url, str) else ""
    document = parse_html(html)
    blocks = list(json_ld or [])
    if document is not None:
        blocks += json_ld_blocks(document)
    posting = Posting()
    nodes = [load_json(block) for block in blocks]
    if document is not None:
        nodes += microdata_postings(document)  # older pages mark postings up in HTML
    for data in nodes:
        for node in job_postings(data):
            found = from_json_ld(node)
            if posting.is_empty:
                posting = found
            else:
                posting.fill_from(found)
        if not posting.is_empty:
            break
    if document is not None:
        posting.fill_from(from_meta(document))
    if not posting.source:
        posting.source = _source_of(url)
    return posting


# The page -----------------------------------------------------------------------------


def parse_html(html: object):
    """The page as an lxml tree, or None when there is nothing to parse."""
    if isinstance(html, bytes):
        html = html.decode("utf-8", errors="replace")
    if not isinstance(html, str) or not html.strip():
        return None
    data = html[:MAX_PAGE_CHARS].replace("\x00", "").encode("utf-8", errors="replace")
    parser = lxml.html.HTMLParser(encoding="utf-8", recover=True, no_network=True)
    try:
        return lxml.html.document_fromstring(data, parser=parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None


def json_ld_blocks(document) -> list[str]:
    blocks = []
    for script in document.iter("script"):
        kind = (script.get("type") or "").split(";")[0].strip().lower()
        if kind == "application/ld+json" and script.text:
            blocks.append(script.text)
    return blocks


def load_json(text: object):
    """A JSON-LD block, tolerating the HTML-comment and CDATA wrappers pages put around it."""
    if not isinstance(text, str):
        return None
    text = text.strip()
    for opening, closing in (("<!--", "-->"), ("//<![CDATA[", "//]]>"), ("<![CDATA[", "]]>")):
        if text.startswith(opening) and text.endswith(closing):
            text = text[len(opening) : -len(closing)].strip()
    try:
        return json.loads(text, strict=False)
    except (ValueError, RecursionError):
        return None


def _types(node: dict) -> set[str]:
    raw = node.get("@type")
    values = raw if isinstance(raw, list) else [raw]
    return {v.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for v in values if isinstance(v, str)}


def job_postings(data) -> list[dict]:
    """Every JobPosting node in a JSON-LD document: top level, lists, @graph, or nested
    (mainEntity of a WebPage), breadth first, with a bound on how much is walked."""
    found, queue, seen = [], [data], 0
    while queue and seen < MAX_JSON_NODES:
        node = queue.pop(0)
        seen += 1
        if isinstance(node, list):
            queue.extend(node)
        elif isinstance(node, dict):
            if "JobPosting" in _types(node):
                found.append(node)
                continue
            queue.extend(v for v in node.values() if isinstance(v, dict | list))
    return found


# Microdata (itemscope/itemprop), read into the shape of JSON-LD --------------------------

MAX_MICRODATA_DEPTH = 20


def _prop_value(element):
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "meta":
        return element.get("content") or ""
    if tag in ("a", "link", "area"):
        return element.get("href") or ""
    if tag in ("img", "audio", "video", "source"):
        return element.get("src") or ""
    if tag == "time":
        return element.get("datetime") or element.text_content()
    if tag in ("data", "meter"):
        return element.get("value") or element.text_content()
    return element.text_content()


MAX_MICRODATA_PROPS = 500


def _scope_of(element, root):
    """The itemscope a property belongs to: its nearest itemscope ancestor up to `root`."""
    parent = element.getparent()
    while parent is not None and parent is not root:
        if parent.get("itemscope") is not None:
            return parent
        parent = parent.getparent()
    return root


def _microdata_item(element, depth: int = 0) -> dict:
    """One itemscope as a dict: {"@type": …, property: value or [values]}.

    Its properties are found by XPath (in C, however large the item) and kept when no
    nested itemscope stands between them and the item.
    """
    item: dict = {"@type": (element.get("itemtype") or "").split()}
    if depth > MAX_MICRODATA_DEPTH:
        return item
    for child in element.xpath(".//*[@itemprop]")[:MAX_MICRODATA_PROPS]:
        if _scope_of(child, element) is not element:
            continue
        if child.get("itemscope") is not None:
            value = _microdata_item(child, depth + 1)
        elif child.get("itemprop", "").split() == ["description"]:
            value = lxml.html.tostring(child, encoding="unicode")
        else:
            value = _prop_value(child)
        for name in child.get("itemprop", "").split():
            if name not in item:
                item[name] = value
            elif isinstance(item[name], list):
                item[name].append(value)
            else:
                item[name] = [item[name], value]
    return item


def microdata_postings(document) -> list[dict]:
    """JobPosting items marked up with microdata (itemtype schema.org/JobPosting)."""
    items = []
    # XPath narrows the candidates in C; a 4 MB page has hundreds of thousands of elements.
    for element in document.xpath("//*[@itemscope][contains(@itemtype, 'JobPosting')]"):
        types = (element.get("itemtype") or "").split()
        if any(t.rstrip("/").endswith("JobPosting") for t in types):
            items.append(_microdata_item(element))
            if len(items) >= 5:
                break
    return items


# JSON-LD JobPosting -------------------------------------------------------------------


def _first(value):
    while isinstance(value, list):
        value = value[0] if value else None
    return value


def _name(value) -> str:
    value = _first(value)
    if isinstance(value, dict):
        return plain_line(value.get("name") or value.get("legalName"))
    return plain_line(value)


def from_json_ld(node: dict) -> Posting:
    posting = Posting(found_in=["schema.org JobPosting data"])
    posting.title = plain_line(node.get("title") or node.get("name"))
    posting.company = _name(node.get("hiringOrganization"))
    posting.description = html_to_text(_first(node.get("description")))
    posting.location = _location(node)
    posting.closing_date = parse_date(node.get("validThrough"))
    posting.posted_on = parse_date(node.get("datePosted"))
    posting.identifier = _identifier(node.get("identifier"))
    posting.employment_type = employment_type(node.get("employmentType"))
    salary = read_salary(node.get("baseSalary") or node.get("estimatedSalary"))
    posting.salary_min, posting.salary_max, posting.salary_period, currency = salary
    posting.salary_currency = currency or currency_code(node.get("salaryCurrency"))
    location_types = node.get("jobLocationType")
    location_types = location_types if isinstance(location_types, list) else [location_types]
    if any(isinstance(t, str) and t.strip().upper() == "TELECOMMUTE" for t in location_types):
        posting.remote = "remote"
    else:
        posting.remote = guess_remote(
            posting.title, posting.location, has_place=bool(posting.location)
        )
    return posting


def _identifier(value) -> str:
    """schema.org `identifier`: text, a number or a PropertyValue ({"value": "R-123"})."""
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("value") or value.get("@id") or value.get("name")
    if isinstance(value, bool) or not isinstance(value, str | int):
        return ""
    return plain_line(str(value), 100)


def _address_text(address) -> str:
    address = _first(address)
    if isinstance(address, str):
        return plain_line(address)
    if not isinstance(address, dict):
        return ""
    parts = []
    for key in ("addressLocality", "addressRegion", "addressCountry"):
        part = _name(address.get(key))
        if part and part not in parts:
            parts.append(part)
    return ", ".join(parts)


def _location(node: dict) -> str:
    places = node.get("jobLocation")
    places = places if isinstance(places, list) else [places]
    names = []
    for place in places[:10]:
        if isinstance(place, dict):
            text = _address_text(place.get("address")) or _name(place.get("name"))
        else:
            text = plain_line(place)
        if text and text not in names:
            names.append(text)
    if not names:
        required = node.get("applicantLocationRequirements")
        required = required if isinstance(required, list) else [required]
        names = [n for n in (_name(r) for r in required[:10]) if n]
    return "; ".join(names)[:200]


def guess_remote(*texts: str, has_place: bool = False) -> str | None:
    """Remote, hybrid or on site from what a posting names in its title or location."""
    words = " ".join(t.lower() for t in texts if isinstance(t, str))
    if "hybrid" in words:
        return "hybrid"
    if "remote" in words or "telecommute" in words or "work from home" in words:
        return "remote"
    if "on-site" in words or "onsite" in words or "on site" in words or "in office" in words:
        return "onsite"
    return "onsite" if has_place else None


def employment_type(value) -> str:
    values = value if isinstance(value, list) else [value]
    for raw in values:
        if not isinstance(raw, str):
            continue
        key = raw.strip().upper().replace("-", "_").replace(" ", "_")
        if key in EMPLOYMENT_TYPES:
            return key
        key = key.replace("_", "")
        if key in EMPLOYMENT_SYNONYMS:
            return EMPLOYMENT_SYNONYMS[key]
    return ""


def parse_date(value) -> date | None:
    """The date of an ISO 8601 date or date-time (its own calendar day, not UTC's)."""
    value = _first(value)
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        return None
    text = value.strip()
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _decimal_point(text: str) -> str:
    """ "1,234.50" and "1.234,50" → "1234.50"; "14,25" → "14.25"; "120,000" → "120000".

    The last of "." and "," is the decimal mark when both appear; a lone comma is a
    thousands separator only when every group after it has three digits.
    """
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            return text.replace(".", "").replace(",", ".")
        return text.replace(",", "")
    if "," in text:
        head, *groups = text.rstrip("k").split(",")
        if all(len(group) == 3 and group.isdigit() for group in groups):
            return text.replace(",", "")
        if len(groups) == 1:
            return text.replace(",", ".")
    return text


def number(value) -> int | float | None:
    """A salary figure from a number or text ("120,000", "95k"); whole numbers as int."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        amount = Decimal(str(value))
    elif isinstance(value, str):
        text = value.strip().lower().replace(" ", "").replace("\u00a0", "").replace("'", "")
        text = _decimal_point(text.lstrip("$€£¥"))
        factor = 1
        if text.endswith("k"):
            text, factor = text[:-1], 1000
        try:
            amount = Decimal(text) * factor
        except InvalidOperation:
            return None
    else:
        return None
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e10"):
        return None
    amount = amount.quantize(Decimal("0.01"), ROUND_HALF_UP)  # cents, as stored
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def currency_code(value) -> str:
    value = _first(value)
    if isinstance(value, str) and len(value.strip()) == 3 and value.strip().isalpha():
        return value.strip().upper()
    return ""


def period(value) -> str:
    if not isinstance(value, str):
        return ""
    key = value.strip().upper().replace("PER_", "").replace("PER ", "").replace("1 ", "")
    return PERIODS.get(key, "")


def read_salary(value) -> tuple:
    """(min, max, period, currency) of a schema.org MonetaryAmount (or a bare number)."""
    value = _first(value)
    if not isinstance(value, dict):
        amount = number(value)
        return amount, amount, "", ""
    currency = currency_code(value.get("currency"))
    quantity = value.get("value")
    quantity = _first(quantity)
    unit = value.get("unitText")
    if isinstance(quantity, dict):
        unit = quantity.get("unitText") or unit
        low, high = number(quantity.get("minValue")), number(quantity.get("maxValue"))
        single = number(quantity.get("value"))
    else:
        low, high = number(value.get("minValue")), number(value.get("maxValue"))
        single = number(quantity)
    if low is None and high is None and single is not None:
        low = high = single
    if low is not None and high is not None and low > high:
        low, high = high, low
    return low, high, period(unit), currency


# OpenGraph and <title> ----------------------------------------------------------------


def _meta(document, *names: str) -> str:
    for element in document.iter("meta"):
        key = (element.get("property") or element.get("name") or "").strip().lower()
        if key in names:
            content = plain_line(element.get("content"), 500)
            if content:
                return content
    return ""


def from_meta(document) -> Posting:
    """The last resort: OpenGraph's title and site name, or the page's <title>."""
    posting = Posting()
    title = _meta(document, "og:title", "twitter:title")
    company = _meta(document, "og:site_name")
    if not title:
        element = next(document.iter("title"), None)
        title = plain_line(element.text_content() if element is not None else "", 500)
    if title and not company:
        title, company = split_title(title)
    elif title and company:
        title = strip_suffix(title, company)
    posting.title = title[:200]
    posting.company = company[:200]
    description = _meta(document, "og:description", "description", "twitter:description")
    posting.description = html_to_text(description)
    if title or company:
        posting.found_in = ["the page title"]
        posting.remote = guess_remote(title)
    return posting


def strip_suffix(title: str, company: str) -> str:
    """ "Backend Engineer at Acme | Acme" → "Backend Engineer" when the company is known."""
    for separator in (" | ", " - ", " – ", " — ", " at ", " @ "):
        head, _, tail = title.rpartition(separator)
        if head and company.lower() in tail.lower():
            return head.strip()
    return title


def split_title(title: str) -> tuple[str, str]:
    """ "Backend Engineer at Acme" → ("Backend Engineer", "Acme"); else (title, "")."""
    for separator in (" at ", " @ ", " | ", " - ", " – ", " — "):
        head, _, tail = title.rpartition(separator)
        if head.strip() and tail.strip():
            if separator in (" | ", " - ", " – ", " — "):
                # "Engineer - Acme | Jobs board": the first part is the job, the second
                # the company.
                head, _, tail = title.partition(separator)
                tail = tail.split(" | ")[0].split(" - ")[0]
            return head.strip(), tail.strip()
    return title, ""


def _source_of(url: object) -> str:
    if not isinstance(url, str):
        return ""
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")[:100]
