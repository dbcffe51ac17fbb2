"""No template relies on inline script (issue 13, item 6): the Content-Security-Policy's
script-src 'self' refuses inline handlers and inline <script> blocks, so a page using one
breaks silently in the browser. The browser suite checks the main pages; this check
covers every template, including pages it does not visit."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']""", re.IGNORECASE)
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>", re.IGNORECASE)


def _templates() -> list[Path]:
    roots = [Path(d) for d in settings.TEMPLATES[0]["DIRS"]]
    base = Path(settings.BASE_DIR)
    roots += [p for p in base.glob("*/templates") if p.is_dir()]
    return sorted({t for root in roots for t in root.rglob("*.html")})


def test_the_templates_are_found():
    assert len(_templates()) > 30


def test_no_template_has_an_inline_event_handler_or_inline_script():
    found = []
    for template in _templates():
        text = template.read_text()
        for pattern in (HANDLER, INLINE_SCRIPT):
            found += [f"{template}: {m.group(0).strip()}" for m in pattern.finditer(text)]
    assert found == []
