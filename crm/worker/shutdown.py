"""Whether this process was asked to stop (SIGTERM in a qcluster worker): long tasks check
it between units of work and return early, leaving the rest to the next worker."""

from __future__ import annotations

_requested = False


def request_stop() -> None:
    global _requested
    _requested = True


def stop_requested() -> bool:
    return _requested
