"""Posting capture: reading a job posting (JSON-LD, board APIs, OpenGraph) from a pasted
link or the bookmarklet into a pre-filled application. See docs/capture.md."""

from __future__ import annotations

from crm.capture.structured import read_posting

__all__ = ["read_posting"]
