"""A real SMTP server (aiosmtpd) on 127.0.0.1 for end-to-end mail tests and the benchmark.

It records every message it accepted; it can refuse chosen recipients for good (550) or
for now (`defer`: 451), and slow down each DATA command, to exercise refusals and kills
in the middle of a batch.
"""

from __future__ import annotations

import asyncio
import email
import socket
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Sink:
    def __init__(
        self,
        *,
        refuse: set[str] | None = None,
        defer: set[str] | None = None,
        delay: float = 0.0,
    ) -> None:
        self.refuse = refuse or set()
        self.defer = defer or set()  # "*" defers every recipient
        self.delay = delay
        self.messages: list[bytes] = []
        self.data_started = 0  # messages whose whole text arrived, accepted or not yet
        self.connections = 0
        self.hang_up_after: int | None = None  # drop the connection after N messages
        self.lock = threading.Lock()

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        with self.lock:
            self.connections += 1  # every SMTP client greets once per connection
        session.host_name = hostname
        return responses

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        if address in self.defer or "*" in self.defer:
            return "451 4.3.0 Mailbox temporarily unavailable, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.hang_up_after is not None and self.count() >= self.hang_up_after:
            server.transport.close()
            return "421 4.3.2 Closing connection"
        with self.lock:
            self.data_started += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        with self.lock:
            self.messages.append(envelope.content)
        return "250 Message accepted for delivery"

    def count(self) -> int:
        with self.lock:
            return len(self.messages)

    def taking_in(self) -> bool:
        """Whether a message's text has arrived and its answer is still to come (`delay`)."""
        with self.lock:
            return self.data_started > len(self.messages)

    def parsed(self) -> list[email.message.Message]:
        with self.lock:
            return [email.message_from_bytes(raw) for raw in self.messages]

    def message_ids(self) -> Counter:
        return Counter(message["Message-ID"] for message in self.parsed())


@contextmanager
def smtp_sink(port: int | None = None, **options) -> Iterator[tuple[Sink, int]]:
    """Runs a Sink on 127.0.0.1 (a free port unless given) until the block ends."""
    sink = Sink(**options)
    port = port or free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()
