"""The one module that talks IMAP, through IMAPClient: connect, log in, find folders.

Every failure becomes a MailboxError whose message says which step failed (finding the
server, connecting, TLS, logging in, the folder) in words a user can act on; the password
never appears in one.
"""

from __future__ import annotations

import socket
import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from functools import lru_cache

from django.conf import settings
from imapclient import IMAPClient, imap_utf7
from imapclient.exceptions import IMAPClientError, LoginError
from imapclient.response_parser import parse_response

from followups.mailbox import crypto
from followups.models import Mailbox
from followups.models.mailbox import is_loopback

CONNECT_TIMEOUT = 20.0

APP_PASSWORD_HINT = (
    "Gmail and Outlook/Microsoft 365 need an app password (not your usual password) "
    "when two-step verification is on; Fastmail needs one always."
)


class MailboxError(Exception):
    """A sync or a connection test failed at `step` ("dns", "connect", "tls", "login",
    "folder", "password", "server"); str() is the message for the user."""

    def __init__(self, step: str, message: str) -> None:
        super().__init__(message)
        self.step = step


def ssl_context() -> ssl.SSLContext:
    """The system's trusted CAs, plus MAILBOX_CA_FILE for a server with a private CA."""
    return _context(settings.MAILBOX_CA_FILE or None)


@lru_cache(maxsize=4)
def _context(cafile: str | None) -> ssl.SSLContext:
    # Loading the system's CA store takes tens of milliseconds: once per process.
    return ssl.create_default_context(cafile=cafile)


def _tls_error(mailbox: Mailbox, error: ssl.SSLError) -> MailboxError:
    if isinstance(error, ssl.SSLCertVerificationError):
        return MailboxError(
            "tls",
            f"The certificate of {mailbox.host} is not trusted ({error.verify_message}). "
            "Check the server name; a self-hosted server with its own CA needs MAILBOX_CA_FILE.",
        )
    hint = (
        "port 993 speaks TLS at once, port 143 with STARTTLS"
        if mailbox.security == Mailbox.Security.SSL
        else "the server may expect TLS at once (port 993)"
    )
    reason = getattr(error, "reason", None) or str(error)
    return MailboxError("tls", f"TLS with {mailbox.host}:{mailbox.port} failed ({reason}): {hint}.")


def open_connection(mailbox: Mailbox, *, timeout: float = CONNECT_TIMEOUT) -> IMAPClient:
    """A connected (not yet logged in) client, TLS set up as the mailbox asks."""
    if mailbox.security == Mailbox.Security.PLAIN and not is_loopback(mailbox.host):
        raise MailboxError(
            "tls", "A connection without TLS is only allowed to a server on this machine."
        )
    try:
        socket.getaddrinfo(mailbox.host, mailbox.port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError):
        raise MailboxError(
            "dns", f"The server name {mailbox.host} was not found (DNS): check its spelling."
        ) from None
    context = ssl_context() if mailbox.security != Mailbox.Security.PLAIN else None
    try:
        client = IMAPClient(
            mailbox.host,
            port=mailbox.port,
            ssl=mailbox.security == Mailbox.Security.SSL,
            ssl_context=context,
            timeout=timeout,
        )
    except ssl.SSLError as error:
        raise _tls_error(mailbox, error) from None
    except ConnectionRefusedError:
        raise MailboxError(
            "connect",
            f"{mailbox.host} refused the connection on port {mailbox.port}: check the port "
            "(993 for TLS, 143 for STARTTLS).",
        ) from None
    except TimeoutError:
        raise MailboxError(
            "connect", f"{mailbox.host}:{mailbox.port} did not answer within {timeout:.0f} s."
        ) from None
    except (OSError, IMAPClientError) as error:
        raise MailboxError(
            "connect", f"Could not talk to {mailbox.host}:{mailbox.port} ({error})."
        ) from None
    without_protocol_log(client)
    if mailbox.security == Mailbox.Security.STARTTLS:
        try:
            client.starttls(context)
        except ssl.SSLError as error:
            _close(client)
            raise _tls_error(mailbox, error) from None
        except (IMAPClientError, OSError) as error:
            _close(client)
            raise MailboxError(
                "tls", f"{mailbox.host} did not accept STARTTLS ({error}); try TLS on port 993."
            ) from None
    return client


def without_protocol_log(client: IMAPClient) -> IMAPClient:
    """Stops imaplib handing every line the server sends to the `imapclient.imaplib`
    logger (the user's mail, headers and bodies, at DEBUG level).

    IMAPClient sets imaplib's `debug` to 5 on connecting ("to make imaplib log
    everything to its own logger"): each response line is then formatted twice (its
    repr, the regular expression it matched) and passed to a logger that drops it
    unless DEBUG logging is on, where it would write private mail to the log. That was
    about a fifth of the header FETCH's CPU (bench/README.md, branch mailbox-ratio).
    IMAPClient has no setting for it; its private `_imap` (the imaplib connection) is
    touched here only, and tests/mailbox/test_protocol_log.py fails if this stops
    working. imaplib's own `debug` attribute is public (0 is its default).
    """
    imap = getattr(client, "_imap", None)
    if imap is not None and hasattr(imap, "debug"):
        imap.debug = 0
    return client


def login(client: IMAPClient, mailbox: Mailbox) -> None:
    try:
        password = crypto.decrypt(mailbox.password_encrypted)
    except crypto.PasswordUnreadable as error:
        raise MailboxError("password", str(error)) from None
    try:
        client.login(mailbox.username, password)
    except LoginError:
        raise MailboxError(
            "login",
            f"{mailbox.host} refused the user name or password for {mailbox.username}. "
            + APP_PASSWORD_HINT,
        ) from None
    except (IMAPClientError, OSError) as error:
        raise MailboxError("login", f"Logging in to {mailbox.host} failed ({error}).") from None


def _close(client: IMAPClient) -> None:
    try:
        client.logout()
    except Exception:  # noqa: BLE001 - the connection may already be gone
        with suppress(Exception):
            client.shutdown()


@contextmanager
def connected(mailbox: Mailbox, *, timeout: float = CONNECT_TIMEOUT) -> Iterator[IMAPClient]:
    """A logged-in client for the block, logged out afterwards whatever happens."""
    client = open_connection(mailbox, timeout=timeout)
    try:
        login(client, mailbox)
        yield client
    finally:
        _close(client)


# Folders ------------------------------------------------------------------------------

# Sent folders of providers that do not flag them (and of older servers).
SENT_NAMES = ("Sent", "Sent Items", "Sent Messages", "[Gmail]/Sent Mail", "INBOX.Sent", "Sent Mail")


@dataclass
class Folders:
    names: list[str] = field(default_factory=list)
    inbox: str = "INBOX"
    sent: str = ""
    all_mail: str = ""


def discover_folders(client: IMAPClient) -> Folders:
    """The folder list, and which are the inbox, the sent folder and "All Mail", by the
    SPECIAL-USE flags (RFC 6154) and then by the usual names."""
    found = Folders()
    for flags, _delimiter, name in client.list_folders():
        name = name if isinstance(name, str) else name.decode()
        found.names.append(name)
        if b"\\Sent" in flags and not found.sent:
            found.sent = name
        if b"\\All" in flags and not found.all_mail:
            found.all_mail = name
    if not found.sent:
        lowered = {name.lower(): name for name in found.names}
        found.sent = next((lowered[n.lower()] for n in SENT_NAMES if n.lower() in lowered), "")
    return found


def check_folder(client: IMAPClient, mailbox: Mailbox, name: str, folders: Folders) -> None:
    if name not in folders.names:
        listed = ", ".join(folders.names[:15])
        raise MailboxError(
            "folder", f"The folder {name!r} does not exist on {mailbox.host}; it has: {listed}."
        )


@dataclass
class ConnectionCheck:
    ok: bool
    message: str
    folders: Folders | None = None


def check_connection(mailbox: Mailbox) -> ConnectionCheck:
    """Connects, logs in and checks both folders; says what worked or exactly what failed."""
    try:
        with connected(mailbox) as client:
            folders = discover_folders(client)
            check_folder(client, mailbox, mailbox.inbox_folder, folders)
            if mailbox.sent_folder:
                check_folder(client, mailbox, mailbox.sent_folder, folders)
    except MailboxError as error:
        return ConnectionCheck(False, str(error))
    sent = mailbox.sent_folder or folders.sent or "none found"
    return ConnectionCheck(
        True,
        f"Connected to {mailbox.host} as {mailbox.username}: inbox {mailbox.inbox_folder!r}, "
        f"sent folder {sent!r}.",
        folders,
    )


# Folder state -------------------------------------------------------------------------

STATUS_ITEMS = (b"UIDVALIDITY", b"UIDNEXT")


def folder_statuses(client: IMAPClient, names: list[str]) -> dict[str, dict[bytes, int]]:
    """UIDVALIDITY and UIDNEXT of each folder in `names` (absent: no such folder).

    A server with LIST-STATUS (RFC 5819: Dovecot, Gmail, Fastmail) answers for every
    folder in one round trip, `LIST "" (a b) RETURN (STATUS (…))`, so an idle sync of an
    inbox and a sent folder costs one command, as one NOOP would. IMAPClient has no
    method for it: its raw command sender sends it (quoting and modified UTF-7 as for
    every folder name) and its response parser reads the answer. Other servers get one
    STATUS per folder.
    """
    if not names:
        return {}
    if not client.has_capability("LIST-STATUS"):
        found = {}
        for name in names:
            try:
                found[name] = client.folder_status(name, list(STATUS_ITEMS))
            except IMAPClientError:
                continue
        return found
    patterns = b"(" + b" ".join(_quoted(name) for name in names) + b")"
    items = b"(STATUS (" + b" ".join(STATUS_ITEMS) + b"))"
    data = client._raw_command_untagged(  # noqa: SLF001 - see the docstring
        b"LIST", [b'""', patterns, b"RETURN", items], response_name="STATUS", uid=False
    )
    # The LIST lines of the answer would otherwise be handed to the next list_folders().
    client._imap.untagged_responses.pop("LIST", None)  # noqa: SLF001
    found = {}
    wanted = {imap_utf7.encode(name): name for name in names}
    for line in data:
        if not line:
            continue
        parsed = parse_response([line] if isinstance(line, bytes) else list(line))
        folder, values = parsed[0], parsed[-1]
        raw = folder if isinstance(folder, bytes) else str(folder).encode()
        if raw in wanted:
            found[wanted[raw]] = {
                key.upper(): int(value)
                for key, value in zip(values[::2], values[1::2], strict=True)
            }
    return found


def _quoted(name: str) -> bytes:
    encoded = imap_utf7.encode(name)
    return b'"' + encoded.replace(b"\\", b"\\\\").replace(b'"', b'\\"') + b'"'
