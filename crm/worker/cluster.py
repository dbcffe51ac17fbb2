"""django-q2's cluster with two faults of 1.11.1 fixed (issue 13, item 12).

1. **A killed child stalled the cluster for good.** The workers share one task queue, a
   multiprocessing.Queue whose readers take turns through a semaphore: an idle worker holds
   it while it waits for the next task. SIGKILL that worker and the semaphore stays taken
   for ever; every other worker, and the one the sentinel starts in its place, waits
   behind it, the schedule keeps enqueueing and nothing runs. The same happens to the
   sentinel's guard when a worker dies holding the lock of its own timer (in the instant
   it hands back a result). Here those locks are POSIX record locks (`fcntl.lockf`) on one
   unlinked file, which the kernel releases when their holder dies.
2. **SIGTERM waited for ever.** Stopping put STOP pills behind the prefetched tasks and
   waited, without a limit, for every worker to reach them (behind a stalled queue: never).
   Here the sentinel tells each worker to stop (SIGTERM): an idle worker leaves at once, a
   busy one finishes the email in hand (the tick checks `crm.worker.shutdown` between
   reminders) and leaves; whatever still runs after STOP_GRACE is killed. Tasks still
   waiting in the queue are dropped: the ORM broker hands them out again after
   Q_CLUSTER["retry"], and the one-minute schedules make new ones anyway.

SIGTERM may come to the cluster's main process only (`kill`, docker) or to its whole
process group (honcho, systemd): either way the same orderly stop runs, well inside 10 s.
"""

from __future__ import annotations

import errno
import fcntl
import os
import signal
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from multiprocessing import Event, Value
from typing import Any, cast

from django_q.cluster import Cluster, Sentinel, get_mp_context
from django_q.conf import Conf, logger
from django_q.monitor import monitor
from django_q.pusher import pusher
from django_q.queues import Queue
from django_q.status import Stat

from crm.worker import shutdown

# Seconds the workers get to finish the task in hand after a stop was asked for, and the
# monitor to save the last results: the whole stop fits in the 5 s honcho waits before it
# kills (systemd and docker wait 10 s). A tick stops between two emails long before that.
STOP_GRACE = 3.0
MONITOR_GRACE = 1.0


# Locks that die with their holder --------------------------------------------------------


class ProcessLock:
    """A lock shared by the cluster's processes, released by the kernel if its holder dies:
    an exclusive POSIX record lock on one byte (`offset`) of the file open as `fd`.

    Recursive within a process (a timer's `.value` takes the lock its owner already holds),
    and exclusive between the threads of one process too."""

    def __init__(self, fd: int, offset: int) -> None:
        self._fd = fd
        self._offset = offset
        self._reset()

    def _reset(self) -> None:
        self._pid = os.getpid()
        self._depth = 0
        self._threads = threading.RLock()

    def _forked(self) -> None:
        # A child inherits a copy of the parent's bookkeeping, not its lock: start afresh.
        if self._pid != os.getpid():
            self._reset()

    def acquire(self, block: bool = True, timeout: float | None = None) -> bool:
        self._forked()
        wait = block and timeout is None
        deadline = time.monotonic() + (timeout or 0.0)
        if not self._threads.acquire(block, -1 if wait else max(timeout or 0.0, 0.0)):
            return False
        if self._depth:
            self._depth += 1
            return True
        while True:
            try:
                fcntl.lockf(
                    self._fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB), 1, self._offset
                )
            except OSError as exc:
                if exc.errno not in (errno.EACCES, errno.EAGAIN, errno.EDEADLK):
                    self._threads.release()
                    raise
                if not block or (not wait and time.monotonic() >= deadline):
                    self._threads.release()
                    return False
                time.sleep(0.005)
                continue
            self._depth = 1
            return True

    def release(self) -> None:
        self._forked()
        if self._depth == 0:
            raise ValueError("release of an unheld ProcessLock")
        self._depth -= 1
        if self._depth == 0:
            fcntl.lockf(self._fd, fcntl.LOCK_UN, 1, self._offset)
        self._threads.release()

    def __enter__(self) -> bool:
        return self.acquire()

    def __exit__(self, *exc_info) -> None:
        self.release()


class LockFile:
    """One unlinked temporary file whose bytes are the cluster's locks; inherited by fork."""

    def __init__(self) -> None:
        self.fd, path = tempfile.mkstemp(prefix="qcluster-locks-")
        os.unlink(path)
        self._next = 0

    def new_lock(self) -> ProcessLock:
        self._next += 1
        return ProcessLock(self.fd, self._next)


# Set in a worker while it waits for its next task: SIGTERM may then end it at once.
_waiting_for_task = False


class TaskQueue(Queue):
    """django-q2's task queue with a reader lock that a killed reader releases, and that
    answers "STOP" (the worker's end-of-work pill) once the worker was asked to stop."""

    def __init__(self, locks: LockFile, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # multiprocessing.Queue.get() serialises its readers through `_rlock` (CPython's
        # Lib/multiprocessing/queues.py); the counter's lock is taken right after a read.
        self._rlock = locks.new_lock()
        self.size.count = Value("i", 0, lock=cast(Any, locks.new_lock()))

    def get(self, block: bool = True, timeout: float | None = None):
        global _waiting_for_task
        if shutdown.stop_requested():
            return "STOP"
        _waiting_for_task = True
        try:
            return super().get(block, timeout)
        finally:
            _waiting_for_task = False


# Processes -------------------------------------------------------------------------------


def worker_asked_to_stop(signum, frame) -> None:
    """SIGTERM in a worker: leave now if idle, else after the unit of work in hand."""
    shutdown.request_stop()
    if _waiting_for_task:
        raise SystemExit(0)


def on_worker_spawn(sender, proc_name: str, **kwargs) -> None:
    """django-q2's post_spawn signal, sent in each new worker process."""
    signal.signal(signal.SIGTERM, worker_asked_to_stop)


def _pusher(task_queue, event, broker=None) -> None:
    # The sentinel stops the pusher through `event`; SIGTERM to the group must not kill it
    # halfway through handing a task over.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    pusher(task_queue, event, broker)


def _monitor(result_queue, broker=None) -> None:
    # The monitor saves the results of the last tasks, then reads the STOP pill.
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    monitor(result_queue, broker)


def _wait_until(done: Callable[[], bool], deadline: float) -> bool:
    while not done():
        if time.monotonic() >= deadline:
            return False
        time.sleep(0.05)
    return True


class HardenedSentinel(Sentinel):
    """django-q2's sentinel with locks that die with their holder and a bounded stop."""

    def __init__(
        self, stop_event, start_event, cluster_id, broker=None, timeout=None, start=True
    ) -> None:
        super().__init__(stop_event, start_event, cluster_id, broker, timeout, start=False)
        self.locks = LockFile()
        limit = Conf.QUEUE_LIMIT
        self.task_queue = TaskQueue(self.locks, maxsize=limit) if limit else TaskQueue(self.locks)
        signal.signal(signal.SIGTERM, self.asked_to_stop)
        if start:
            self.start()

    def asked_to_stop(self, signum, frame) -> None:
        # Setting the event takes its lock, which the interrupted guard may hold: not here.
        threading.Thread(target=self.stop_event.set, daemon=True).start()

    def spawn_worker(self) -> None:
        from django_q.worker import worker

        timer = Value("f", -1, lock=cast(Any, self.locks.new_lock()))
        self.spawn_process(worker, self.task_queue, self.result_queue, timer, self.timeout)

    def spawn_pusher(self):
        return self.spawn_process(_pusher, self.task_queue, self.event_out, self.broker)

    def spawn_monitor(self):
        return self.spawn_process(_monitor, self.result_queue, self.broker)

    def stop(self) -> None:
        Stat(self).save()
        deadline = time.monotonic() + STOP_GRACE
        logger.info("%s stopping cluster processes", self.name)
        self.event_out.set()  # the pusher takes no more tasks from the broker
        for process in self.pool:
            if process.is_alive() and process.pid:
                os.kill(process.pid, signal.SIGTERM)
        if not _wait_until(lambda: not self.pusher.is_alive(), deadline):
            self.pusher.kill()
        if not _wait_until(lambda: not any(p.is_alive() for p in self.pool), deadline):
            for process in self.pool:
                if process.is_alive():
                    logger.warning(
                        "%s was still busy %.0f s after the stop: killed", process.name, STOP_GRACE
                    )
                    process.kill()
        for process in self.pool:
            process.join(1)
        self.pool.clear()
        # Tasks prefetched but not started stay unacknowledged; no need to flush them.
        self.task_queue.cancel_join_thread()
        self.result_queue.put("STOP")
        if not _wait_until(lambda: not self.monitor.is_alive(), time.monotonic() + MONITOR_GRACE):
            self.monitor.kill()
        self.result_queue.cancel_join_thread()
        Stat(self).save()
        logger.info("%s stopped the cluster", self.name)


class HardenedCluster(Cluster):
    """django-q2's Cluster, starting the hardened sentinel."""

    def start(self) -> int:
        self.stop_event = Event()
        self.start_event = Event()
        self.sentinel = get_mp_context().Process(
            target=HardenedSentinel,
            name=f"Process-{uuid.uuid4().hex}",
            args=(self.stop_event, self.start_event, self.cluster_id, self.broker, self.timeout),
        )
        self.sentinel.start()
        logger.info("Q Cluster %s starting.", self.name)
        # Polled, not wait()ed: a signal during wait() would deadlock (as in django-q2).
        while self.start_event and not self.start_event.is_set():
            if not self.sentinel.is_alive():
                if self.sentinel.exitcode == 0:
                    break  # stopped by a signal while starting
                raise RuntimeError(
                    f"Q Cluster {self.name} failed to start: the sentinel exited with code "
                    f"{self.sentinel.exitcode}"
                )
            time.sleep(0.1)
        return self.pid
