"""The IMAP password at rest: Fernet tokens, never a readable column.

The key is settings.MAILBOX_KEY (Fernet keys, newest first: the first encrypts, all of
them decrypt, so a key is rotated by putting the new one in front; each sync re-encrypts
with it) or, when unset, one derived from SECRET_KEY with HKDF so a development install
needs no setup. Changing SECRET_KEY without MAILBOX_KEY makes stored passwords unreadable:
the page then asks for the password again.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

HKDF_SALT = b"followup-crm mailbox password"
HKDF_INFO = b"fernet key v1"


class PasswordUnreadable(Exception):
    """The stored password was encrypted with a key that is no longer configured."""


def derived_key(secret_key: str) -> bytes:
    """A Fernet key from SECRET_KEY: HKDF-SHA256, 32 bytes, urlsafe base64."""
    raw = HKDF(algorithm=hashes.SHA256(), length=32, salt=HKDF_SALT, info=HKDF_INFO).derive(
        secret_key.encode()
    )
    return base64.urlsafe_b64encode(raw)


def _fernet() -> MultiFernet:
    keys: list[str | bytes] = [*settings.MAILBOX_KEY] or [derived_key(settings.SECRET_KEY)]
    try:
        return MultiFernet([Fernet(key) for key in keys])
    except (ValueError, TypeError):
        raise ImproperlyConfigured(
            "MAILBOX_KEY must be Fernet keys (comma-separated, newest first); make one with "
            "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key()"
            ".decode())'."
        ) from None


def encrypt(raw: str) -> str:
    return _fernet().encrypt(raw.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        raise PasswordUnreadable(
            "The stored password cannot be read with the current MAILBOX_KEY or SECRET_KEY; "
            "enter the password again."
        ) from None


def rotated(token: str) -> str | None:
    """The password re-encrypted with the newest key, or None when it already uses it."""
    keys: list[str | bytes] = [*settings.MAILBOX_KEY] or [derived_key(settings.SECRET_KEY)]
    try:
        Fernet(keys[0]).decrypt(token.encode())
        return None
    except InvalidToken:
        pass
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise PasswordUnreadable("The stored password cannot be read; enter it again.") from None
