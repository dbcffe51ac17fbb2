"""The repository's docs stay findable and the code's citations of them stay true: every
`docs/<name>.md#anchor` a comment cites exists, and README links every page in docs/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
# Where code and templates live; data/, staticfiles/ and dot-folders (.venv) are not ours.
SOURCE_DIRS = ("bench", "contacts", "crm", "followups", "templates", "tests")
SOURCE_SUFFIXES = {".py", ".html", ".txt"}

# `docs/rules.md#r4, #r8` cites two anchors, also when the list goes on in the next comment
# line (`#r1,\n# #r3`); a bare `# ` comment marker is not an anchor.
CITATION = re.compile(r"docs/([\w-]+)\.md((?:#[\w-]+)(?:,\s*(?:#\s+)?#[\w-]+)*)?")
ANCHOR = re.compile(r"#([\w-]+)")
EXPLICIT_ANCHOR = re.compile(r'<a id="([\w-]+)"></a>')
HEADING = re.compile(r"^#{1,6}\s+(.+?)\s*$", re.MULTILINE)
MARKDOWN_LINK = re.compile(r"\]\(([^)\s]+\.md)(?:#([\w-]+))?\)")


def github_slug(heading: str) -> str:
    """The anchor GitHub gives a heading: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"[^\w\- ]", "", heading.lower())
    return text.replace(" ", "-")


def anchors_of(page: Path) -> set[str]:
    text = page.read_text(encoding="utf-8")
    return set(EXPLICIT_ANCHOR.findall(text)) | {github_slug(h) for h in HEADING.findall(text)}


def source_files() -> list[Path]:
    return [
        path
        for folder in SOURCE_DIRS
        for path in (ROOT / folder).rglob("*")
        if path.suffix in SOURCE_SUFFIXES and path.is_file() and path != Path(__file__)
    ]


def citations() -> list[tuple[str, str, str]]:
    """(file, cited page, anchor or "") for every docs citation in code and templates."""
    found = []
    for path in source_files():
        text = path.read_text(encoding="utf-8", errors="replace")
        for match in CITATION.finditer(text):
            where = str(path.relative_to(ROOT))
            anchors = ANCHOR.findall(match.group(2) or "") or [""]
            found.extend((where, match.group(1), anchor) for anchor in anchors)
    return found


def test_the_code_cites_the_rules_document_for_every_rule():
    cited = {anchor for _, page, anchor in citations() if page == "rules"}
    assert {f"r{n}" for n in range(1, 9)} <= cited


def test_every_docs_anchor_the_code_cites_exists():
    missing = []
    for where, page, anchor in citations():
        target = DOCS / f"{page}.md"
        if not target.is_file():
            missing.append(f"{where} cites docs/{page}.md, which does not exist")
        elif anchor and anchor not in anchors_of(target):
            missing.append(f"{where} cites docs/{page}.md#{anchor}, which has no such anchor")
    assert missing == []


@pytest.mark.parametrize("rule", [f"r{n}" for n in range(1, 9)])
def test_the_rules_document_has_an_anchor_per_rule(rule):
    assert rule in anchors_of(DOCS / "rules.md")


def test_readme_links_every_page_in_docs():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    readme_links = {link for link, _anchor in MARKDOWN_LINK.findall(readme)}
    pages = sorted(f"docs/{page.name}" for page in DOCS.glob("*.md"))
    assert {"docs/architecture.md", "docs/rules.md", "docs/operations.md"} <= set(pages)
    assert [page for page in pages if page not in readme_links] == []


def test_links_between_the_docs_lead_to_pages_and_anchors_that_exist():
    broken = []
    for page in [ROOT / "README.md", *DOCS.glob("*.md")]:
        for link, anchor in MARKDOWN_LINK.findall(page.read_text(encoding="utf-8")):
            target = page.parent / link
            if "://" in link:
                continue
            if not target.is_file():
                broken.append(f"{page.relative_to(ROOT)} links {link}")
            elif anchor and anchor not in anchors_of(target):
                broken.append(f"{page.relative_to(ROOT)} links {link}#{anchor}: no such anchor")
    assert broken == []
