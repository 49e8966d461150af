"""Keep feed tokens and personal data out of every log: the dev server's, gunicorn's and
our own. A database error is logged with its statement, never its parameters (a person's
e-mail, address, notes) nor the driver's detail (PostgreSQL's "Key (phone)=(…)")."""
from __future__ import annotations

import logging
import re
import traceback
from collections.abc import Mapping, MutableMapping

from sqlalchemy.exc import StatementError

FEED_PATH = re.compile(r"(/feeds/)[A-Za-z0-9_-]{20,}")


def redact(text: str) -> str:
    """Replace the token of any feed URL in ``text`` with [redacted]."""
    return FEED_PATH.sub(r"\1[redacted]", text)


def describe_db_error(exc: StatementError, tb=None) -> str:
    """Return a traceback of a database error naming its statement and constraint only."""
    orig = exc.orig
    what = f"{type(orig).__module__}.{type(orig).__qualname__}" if orig is not None else ""
    diag = getattr(orig, "diag", None)  # psycopg: names only, never the values
    names = {k: getattr(diag, k, None) for k in ("constraint_name", "table_name",
                                                 "column_name")}
    if orig is not None and type(orig).__module__ == "sqlite3":
        # SQLite's messages name the constraint or column, never a value.
        names["message"] = str(orig).splitlines()[0] if str(orig) else None
    named = ", ".join(f"{k}={v}" for k, v in names.items() if v)
    frames = "".join(traceback.format_tb(tb)) if tb is not None else ""
    return (f"Traceback (most recent call last):\n{frames}"
            f"{type(exc).__module__}.{type(exc).__qualname__}: ({what}) {named}\n"
            f"[SQL: {redact(str(exc.statement or ''))}]\n"
            "(parameters and the driver's message are left out: they may hold personal data)")


class RedactFilter(logging.Filter):
    """A logging filter that redacts feed tokens from messages and their arguments, and
    logs a database error's statement without its parameters."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and isinstance(record.exc_info[1], StatementError):
            # The formatter uses a ready exc_text instead of formatting the exception
            # (whose text and chained driver error carry the values).
            record.exc_text = describe_db_error(record.exc_info[1], record.exc_info[2])
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
    """Attach the filter to the werkzeug (dev server), gunicorn, app and scheduler loggers
    (a logger's filters do not see what its children log)."""
    names = ("werkzeug", "gunicorn.access", "gunicorn.error", "coordinator.scheduler",
             "apscheduler.executors.default")
    for logger in (*map(logging.getLogger, names), app.logger):
        if not any(isinstance(f, RedactFilter) for f in logger.filters):
            logger.addFilter(RedactFilter())
