"""Keep feed tokens out of every log: the dev server's, gunicorn's and our own."""
from __future__ import annotations

import logging
import re
from collections.abc import Mapping, MutableMapping

FEED_PATH = re.compile(r"(/feeds/)[A-Za-z0-9_-]{20,}")


def redact(text: str) -> str:
    """Replace the token of any feed URL in ``text`` with [redacted]."""
    return FEED_PATH.sub(r"\1[redacted]", text)


class RedactFilter(logging.Filter):
    """A logging filter that redacts feed tokens from messages and their arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, MutableMapping):
            # ``log.info("%(r)s", atoms)``: gunicorn's access log. Keep it a mapping (a
            # tuple would make the line fail to format and be lost), and keep its type
            # (gunicorn's SafeAtoms answers "-" for missing keys): redact in place.
            for key, value in list(record.args.items()):
                if isinstance(value, str):
                    record.args[key] = redact(value)
        elif isinstance(record.args, Mapping):
            record.args = {k: redact(v) if isinstance(v, str) else v
                           for k, v in record.args.items()}
        elif record.args:
            args = record.args if isinstance(record.args, tuple) else (record.args,)
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in args)
        return True


try:  # gunicorn is a dependency, but the app must import without it
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # pragma: no cover
    _GunicornLogger = object


class RedactingLogger(_GunicornLogger):
    """gunicorn --logger-class coordinator.http.logs.RedactingLogger: redacted access log."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # Every text atom: the path is also in {path_info}e, {request_uri}e, {referer}i...
        for key, value in atoms.items():
            if isinstance(value, str):
                atoms[key] = redact(value)
        return atoms


def init_app(app) -> None:
    """Attach the filter to the werkzeug (dev server) and app loggers."""
    for logger in (logging.getLogger("werkzeug"), logging.getLogger("gunicorn.access"),
                   logging.getLogger("gunicorn.error"), app.logger):
        if not any(isinstance(f, RedactFilter) for f in logger.filters):
            logger.addFilter(RedactFilter())
