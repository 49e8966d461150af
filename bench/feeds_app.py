"""WSGI entry of the feed benchmark: the real app on the generated bench database, plus a
bench-only static folder, so that a feed and a static file of the same bytes are served
by the same gunicorn, the same app and the same per-request hooks::

    BENCH_APP_DATABASE_URL=... BENCH_STATIC_DIR=/tmp/x BENCH_PUBLIC_URL=http://127.0.0.1:8000 \\
        gunicorn -k sync -w 2 -b 127.0.0.1:8000 bench.feeds_app:app

Environment (all set by ``bench.feeds_load.Gunicorn``):

- ``BENCH_APP_DATABASE_URL``: the bench database (required);
- ``BENCH_SECRET_KEY``: the secret the feed tokens were issued under (required);
- ``BENCH_INSTANCE_PATH``: the run's scratch instance folder;
- ``BENCH_PUBLIC_URL``: ``PUBLIC_URL``, so the feed bytes do not depend on the Host
  header (and the app may require it);
- ``BENCH_STATIC_DIR``: files served under ``/_bench/static/<name>``.

The static view answers with a strong ETag that is the SHA-256 prefix of the file's
bytes, the way the feed's ETag is the hash of its body (not werkzeug's default
mtime-size-checksum), so that the static 304 is judged by the same If-None-Match
comparison as the feed's.
"""
from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from pathlib import Path

from flask import abort, send_file

from coordinator import create_app
from coordinator.http.access import public

from .databases import FAST_ARGON2

STATIC_PREFIX = "/_bench/static/"


def bench_config(url: str, secret: str, instance_path: str, public_url: str) -> dict:
    """The app config the bench uses in gunicorn and in-process (same feed bytes)."""
    return {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret,
            "INSTANCE_PATH": instance_path, "PUBLIC_URL": public_url, **FAST_ARGON2}


def file_etag(body: bytes) -> str:
    """The static file's ETag: computed as the feed computes its own (services/feeds)."""
    return hashlib.sha256(body).hexdigest()[:32]


def add_static(app, directory: str) -> None:
    """Serve ``directory`` under ``/_bench/static/`` with send_file(conditional=True)."""
    root = Path(directory).resolve()

    @lru_cache(maxsize=64)
    def etag_of(path: Path, mtime_ns: int) -> str:
        return file_etag(path.read_bytes())

    @public
    def bench_static(name: str):
        path = (root / name).resolve()
        if path.parent != root or not path.is_file():
            abort(404)
        return send_file(path, mimetype="text/calendar", conditional=True,
                         etag=etag_of(path, path.stat().st_mtime_ns), max_age=300)

    app.add_url_rule(STATIC_PREFIX + "<name>", "bench_static", bench_static)


def build():
    """Build the app from the environment described above."""
    env = os.environ
    app = create_app(bench_config(env["BENCH_APP_DATABASE_URL"], env["BENCH_SECRET_KEY"],
                                  env.get("BENCH_INSTANCE_PATH") or "instance",
                                  env.get("BENCH_PUBLIC_URL") or "http://127.0.0.1"))
    if env.get("BENCH_STATIC_DIR"):
        add_static(app, env["BENCH_STATIC_DIR"])
    return app


if os.environ.get("BENCH_APP_DATABASE_URL"):
    app = build()
