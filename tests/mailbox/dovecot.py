"""A real IMAP server for the tests and the benchmark: Debian's Dovecot, run from its
own configuration in a temporary folder on loopback ports.

The system's /etc/dovecot is never read (`dovecot -c our.conf -F`); base_dir, state_dir,
the log and every mailbox live under the folder. Users are lines of a passwd-file written
before the start (Dovecot re-reads a changed one only after a second), POOL of them, so
each test takes its own with `new_user()`. Port 0 cannot be given
to Dovecot, so free ports are picked first. One listener speaks plain IMAP with STARTTLS
offered, one implicit TLS, both with a self-signed certificate for localhost/127.0.0.1
(`cert_path`, to trust it through MAILBOX_CA_FILE).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from imapclient import IMAPClient

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
HOST = "127.0.0.1"
POOL = 300


def available() -> bool:
    return os.path.exists(DOVECOT)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def write_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address(HOST))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    key_path.chmod(0o600)
    return cert_path, key_path


class Dovecot:
    def __init__(self, *, tls: bool = True, extra_config: str = "") -> None:
        self.tls = tls
        # Appended to the configuration: e.g. an imap_capability without LIST-STATUS.
        self.extra_config = extra_config
        # Not under pytest's tmp_path: its 0700 parents would lock out the mail user.
        self.folder = Path(tempfile.mkdtemp(prefix="crm-dovecot-"))
        self.folder.chmod(0o755)
        self.mail = self.folder / "mail"
        self.mail.mkdir()
        self.passwd = self.folder / "passwd"
        self.users = [(f"user{n}", f"pw-{n}-{os.urandom(4).hex()}") for n in range(1, POOL + 1)]
        self.taken = 0
        self.cert_path, self.key_path = write_certificate(self.folder)
        self.port = free_port()
        self.tls_port = free_port()
        self.process: subprocess.Popen | None = None
        if os.geteuid() == 0:
            # Dovecot refuses to run its helpers as root: the package's own users, and
            # "nobody" owns the mail.
            self.uid, self.gid = 65534, 65534
            self.internal_user, self.login_user = "dovecot", "dovenull"
            os.chown(self.mail, self.uid, self.gid)
            chroot = ""
        else:
            self.uid, self.gid = os.getuid(), os.getgid()
            self.internal_user = self.login_user = pwd.getpwuid(self.uid).pw_name
            chroot = "chroot ="
        self.passwd.write_text(
            "".join(
                f"{name}:{{PLAIN}}{password}:{self.uid}:{self.gid}::{self.mail / name}\n"
                for name, password in self.users
            )
        )
        self.config = self.folder / "dovecot.conf"
        self.config.write_text(self._config(chroot))

    def _config(self, chroot: str) -> str:
        base = self.folder
        tls = (
            f"ssl = yes\nssl_cert = <{self.cert_path}\nssl_key = <{self.key_path}"
            if self.tls
            else "ssl = no"
        )
        imaps_port = self.tls_port if self.tls else 0
        return f"""
protocols = imap
listen = {HOST}
instance_name = crm-test-{base.name}
base_dir = {base}/run
state_dir = {base}/state
log_path = {base}/dovecot.log
default_internal_user = {self.internal_user}
default_login_user = {self.login_user}
first_valid_uid = 1
{tls}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
# No auth penalty (anvil delays logins from an address after failures) on loopback.
login_trusted_networks = 127.0.0.0/8
mail_location = maildir:~/Maildir
mail_fsync = never
hostname = localhost
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {self.passwd}
}}
userdb {{
  driver = passwd-file
  args = username_format=%u {self.passwd}
}}
namespace inbox {{
  inbox = yes
  separator = /
  mailbox Sent {{
    special_use = \\Sent
    auto = create
  }}
  mailbox Archive {{
    special_use = \\Archive
    auto = create
  }}
}}
service imap-login {{
  {chroot}
  inet_listener imap {{
    address = {HOST}
    port = {self.port}
  }}
  inet_listener imaps {{
    address = {HOST}
    port = {imaps_port}
    ssl = yes
  }}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = 0
  }}
  inet_listener pop3s {{
    port = 0
  }}
}}
service anvil {{
  {chroot}
}}
{self.extra_config}
"""

    # Process ----------------------------------------------------------------------------

    def start(self) -> Dovecot:
        self.process = subprocess.Popen(
            [DOVECOT, "-c", str(self.config), "-F"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, so stop() ends every child
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Dovecot exited: {self.process.stderr.read().decode()}")
            try:
                with socket.create_connection((HOST, self.port), timeout=0.5):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"Dovecot did not listen on {self.port}: {self.log()}")

    def stop(self) -> None:
        """Stops the server and every connection it serves, as a crash or a restart would."""
        if self.process and self.process.poll() is None:
            group = os.getpgid(self.process.pid)
            os.killpg(group, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(group, signal.SIGKILL)
                self.process.wait()
            with contextlib.suppress(ProcessLookupError):
                os.killpg(group, signal.SIGKILL)  # an imap child still serving a client
        self.process = None
        # The master is gone; make sure no stray child still listens.
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                with socket.create_connection((HOST, self.port), timeout=0.2):
                    time.sleep(0.05)
            except OSError:
                return

    def cleanup(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)

    def log(self) -> str:
        path = self.folder / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    # Users and mail ---------------------------------------------------------------------

    def new_user(self) -> tuple[str, str]:
        """A user no one has used yet on this server: (name, password)."""
        self.taken += 1
        return self.users[self.taken - 1]

    def client(self, user: str, password: str) -> IMAPClient:
        client = IMAPClient(HOST, port=self.port, ssl=False, timeout=10)
        client.login(user, password)
        return client

    def append(self, user: str, password: str, folder: str, raw: bytes, when=None) -> int:
        """APPENDs one message; returns its UID."""
        with self.client(user, password) as client:
            response = client.append(folder, raw, msg_time=when)
        # b"[APPENDUID <validity> <uid>] Append completed."
        return int(response.split(b"]")[0].split()[-1])
