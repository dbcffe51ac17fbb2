"""gunicorn reads this file from the working directory (README's production command runs
it from the project root). Options given on the command line win over these.

Workers (issue 19, docs/operations.md#the-web-server):
- gthread: each request runs in one of the worker's threads while its main thread keeps
  telling the arbiter it is alive. A sync worker sends no heartbeat while it writes a
  response, so a download that takes longer than `timeout` (a big JSON backup, a slow
  client) was killed and cut off mid-file; a slow client also held the whole worker.
- timeout: how long a worker's main thread may stay silent before the arbiter kills it
  (a hung worker); with gthread it does not bound a request's length.
- max_requests (+ jitter, so the workers do not restart together): a worker is replaced
  after this many requests, which gives back the memory a worker keeps after load
  (bench/README.md, "memory and start-up"). A replaced worker first finishes its requests
  in flight, for up to graceful_timeout: long enough for the biggest backup download.

Its access log (when turned on with --access-logfile) shows the calendar feed's path
without its token (issue 13).
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from crm.security.logs import redact_path

worker_class = "gthread"
threads = 4
timeout = 30
graceful_timeout = 120
keepalive = 5
max_requests = 1000
max_requests_jitter = 100


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        environ = dict(environ)
        for key in ("RAW_URI", "PATH_INFO"):
            if key in environ:
                environ[key] = redact_path(environ[key])
        return super().atoms(resp, req, environ, request_time)


logger_class = RedactingLogger
