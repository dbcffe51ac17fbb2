"""An upload kept on disk between the preview and the confirm, per user, for a day."""

from __future__ import annotations

import contextlib
import re
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from django.conf import settings

from contacts.importers.csvfile import ImportFileError
from contacts.importers.plan import PreviewRow

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# Staging an upload between preview and confirm --------------------------------------

_TOKEN = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
STAGED_MAX_AGE_SECONDS = 24 * 3600


def staging_dir() -> Path:
    default = Path(settings.DATA_DIR) / "import-staging"
    return Path(getattr(settings, "IMPORT_STAGING_DIR", default))


def _staged_path(user: User, token: str) -> Path:
    if not _TOKEN.match(token or ""):
        raise ImportFileError("The uploaded file has expired; upload it again.")
    return staging_dir() / f"{user.pk}-{token}.csv"


def stage_upload(user: User, raw: bytes) -> str:
    """Keeps an upload on the server until the user confirms; returns its token.

    The token only ever travels in the user's session, and the file name carries the
    user's id, so nobody can confirm a file they did not upload.
    """
    directory = staging_dir()
    directory.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - STAGED_MAX_AGE_SECONDS
    for old in directory.glob("*.csv"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(24)
    _staged_path(user, token).write_bytes(raw)
    return token


def staged_path(user: User, token: str) -> Path:
    """Where the staged upload is: the LinkedIn archive is streamed from there."""
    path = _staged_path(user, token)
    if not path.exists():
        raise ImportFileError("The uploaded file has expired; upload it again.")
    return path


def load_staged(user: User, token: str) -> bytes:
    try:
        return _staged_path(user, token).read_bytes()
    except FileNotFoundError:
        raise ImportFileError("The uploaded file has expired; upload it again.") from None


def discard_staged(user: User, token: str) -> None:
    with contextlib.suppress(ImportFileError):
        _staged_path(user, token).unlink(missing_ok=True)


def rejected_lines(rows: Iterable[PreviewRow]) -> list[str]:
    """One line of text per rejected row, for the management command."""
    return [f"line {row.line}: {' '.join(row.errors)}" for row in rows if row.is_rejected]
