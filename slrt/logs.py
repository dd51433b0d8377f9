"""JSON log lines for production (LOG_FORMAT=json), with the request each line belongs to.

Our own 30 lines rather than python-json-logger: the fields are ours to name and keep stable,
nothing else is needed from a dependency, and it reads the request context set by
slrt.middleware.RequestIdMiddleware without a logging filter.
"""

import json
import logging
from contextvars import ContextVar
from datetime import UTC, datetime

from django.http import HttpRequest

current_request: ContextVar[HttpRequest | None] = ContextVar("current_request", default=None)

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime", "request"}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC), level, logger, message, request fields when the
    line is written while serving a request, `extra=` fields, and the traceback if any."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # django.request's own lines (4xx/5xx) are written after the middleware returned, but
        # carry the request.
        request = getattr(record, "request", None) or current_request.get()
        if isinstance(request, HttpRequest):
            line["request_id"] = getattr(request, "request_id", "")
            line["path"] = request.path
            user = getattr(request, "_cached_user", None)  # never load a user to log a line
            if user is not None and user.is_authenticated:
                line["user_id"] = user.pk
        line.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)
