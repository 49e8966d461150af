"""Keep feed tokens out of every log: the dev server's, gunicorn's and our own."""
from __future__ import annotations

import logging
import re

FEED_PATH = re.compile(r"(/feeds/)[A-Za-z0-9_-]{20,}")


def redact(text: str) -> str:
    """Replace the token of any feed URL in ``text`` with [redacted]."""
    return FEED_PATH.sub(r"\1[redacted]", text)


class RedactFilter(logging.Filter):
    """A logging filter that redacts feed tokens from messages and their arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True


try:  # gunicorn is a dependency, but the app must import without it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object


class RedactingLogger(_GunicornLogger):
    """gunicorn --logger-class coordinator.logs.RedactingLogger: redacted access log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in ("r", "U", "q", "f", "{raw_uri}e"):
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms


def init_app(app) -> None:
    """Attach the filter to the werkzeug (dev server) and app loggers."""
    for logger in (logging.getLogger("werkzeug"), logging.getLogger("gunicorn.access"),
                   logging.getLogger("gunicorn.error"), app.logger):
        if not any(isinstance(f, RedactFilter) for f in logger.filters):
            logger.addFilter(RedactFilter())
