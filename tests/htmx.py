"""Pages as a browser shows them once htmx has loaded their on-demand parts."""

from __future__ import annotations

import re

LAZY_PART = re.compile(r'<div class="lazy-group" hx-get="([^"]+)"[^>]*>.*?</div>', re.S)


def as_shown(client, path: str = "/", **params) -> str:
    """The page's HTML with each part that loads on demand (the dashboard's "this week"
    and "later", hx-trigger="revealed") replaced by what its htmx request answers."""
    html = client.get(path, params).content.decode()

    def load(match: re.Match) -> str:
        url = match.group(1).replace("&amp;", "&")
        response = client.get(url, headers={"HX-Request": "true"})
        assert response.status_code == 200, url
        return response.content.decode()

    return LAZY_PART.sub(load, html)
