"""Capture from a pasted link: a board's API when the link is a board posting, else the
page itself (JSON-LD, then OpenGraph/<title>)."""

from __future__ import annotations

import json
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crm.capture.boards import board_link, read_board
from crm.capture.fetch import FetchRefused, fetch
from crm.capture.structured import Posting, extract_posting

# Query parameters that say where a click came from, not which posting it is: dropped so
# the same posting shared twice has one URL (the unique posting_url per owner).
TRACKING_PARAMS = ("utm_", "gh_src", "ref", "source", "src", "trk", "lever-source", "fbclid")


def normalise_url(url: str) -> str:
    """The posting's URL without its fragment and click-tracking parameters."""
    url = (url or "").strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return url[:500]
    if parts.scheme.lower() not in ("http", "https"):
        return url[:500]
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if not key.lower().startswith(TRACKING_PARAMS)
    ]
    cleaned = urlunsplit(
        (parts.scheme.lower(), parts.netloc.lower(), parts.path, urlencode(query), "")
    )
    return cleaned[:500]


def capture_link(url: str) -> Posting:
    """The posting at `url`; raises FetchRefused with the reason it could not be read."""
    link = board_link(url)
    if link is not None:
        try:
            answer = fetch(link.api_url, accept="application/json")
            posting = read_board(link, json.loads(answer.text))
        except (FetchRefused, ValueError):
            posting = Posting()
        if not posting.is_empty:
            return posting
    page = fetch(url)
    posting = extract_posting(page.text, page.url)
    if posting.is_empty:
        raise FetchRefused(
            "The page was fetched but names no job title or company; fill in the form by hand "
            "or use the bookmarklet on the open page."
        )
    return posting
