"""gunicorn reads this file from the working directory: its access log (when turned on
with --access-logfile) shows the calendar feed's path without its token (issue 13)."""

from __future__ import annotations

from gunicorn.glogging import Logger

from crm.security.logs import redact_path


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        environ = dict(environ)
        for key in ("RAW_URI", "PATH_INFO"):
            if key in environ:
                environ[key] = redact_path(environ[key])
        return super().atoms(resp, req, environ, request_time)


logger_class = RedactingLogger
