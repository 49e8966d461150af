"""Rendered feeds, cached per feed and keyed by validator: a process-local LRU in front
of a table shared by every app process. Invalidation is implicit and precise: a change
the feed would show changes its validator, so the old body is simply never matched."""
from __future__ import annotations

import gzip
import threading
from collections import OrderedDict

from sqlalchemy import select

from ..database import begin_write
from ..models import FeedCache

_LOCAL: OrderedDict[str, tuple[str, bytes, bytes]] = OrderedDict()
_LOCK = threading.Lock()
LOCAL_SIZE = 256


def get(session, key: str, etag: str) -> tuple[bytes, bytes] | None:
    """Return (body, gzipped body) cached for ``key`` at ``etag``, or None."""
    with _LOCK:
        hit = _LOCAL.get(key)
        if hit is not None and hit[0] == etag:
            _LOCAL.move_to_end(key)
            return hit[1], hit[2]
    row = session.scalar(select(FeedCache).where(FeedCache.key == key))
    if row is not None and row.etag == etag:
        _remember(key, etag, row.body, row.gzip_body)
        return row.body, row.gzip_body
    return None


def put(session, key: str, etag: str, body: bytes, events: int, now) -> bytes:
    """Store a freshly rendered body; returns its gzipped form."""
    packed = gzip.compress(body, compresslevel=6, mtime=0)
    _remember(key, etag, body, packed)
    try:
        begin_write(session)
        row = session.get(FeedCache, key)
        if row is None:
            session.add(FeedCache(key=key, etag=etag, body=body, gzip_body=packed,
                                  events=events, updated_at=now))
        else:
            row.etag, row.body, row.gzip_body = etag, body, packed
            row.events, row.updated_at = events, now
        session.commit()
    except Exception:  # noqa: BLE001 — a cache write must never fail the feed
        session.rollback()
    return packed


def _remember(key, etag, body, packed):
    with _LOCK:
        _LOCAL[key] = (etag, body, packed)
        _LOCAL.move_to_end(key)
        while len(_LOCAL) > LOCAL_SIZE:
            _LOCAL.popitem(last=False)


def clear_local() -> None:
    """Forget the process-local copies (tests)."""
    with _LOCK:
        _LOCAL.clear()
