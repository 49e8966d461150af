"""Rendered feeds, cached per feed and keyed by validator: a process-local LRU in front
of a table shared by every app process. Invalidation is implicit and precise: a change
the feed would show changes its validator, so the old body is simply never matched.

The process-local memory is one ``FeedCaches`` object per app (``create_app`` makes it,
so every app, and every test, starts empty): what each feed URL last answered (``hot``),
the bodies (``bodies``) and each VEVENT's bytes (``events``, see ``render``).
"""
from __future__ import annotations

import gzip
import threading
from collections import OrderedDict

from sqlalchemy import select

from ...models import FeedCache


class LRU:
    """A small thread-safe least-recently-used map."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key):
        """Return the value of ``key`` (now the most recent), or None."""
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
            return hit

    def put(self, key, value) -> None:
        """Remember ``value`` under ``key``, forgetting the oldest beyond the size."""
        with self._lock:
            self._items[key] = value
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def __len__(self) -> int:
        return len(self._items)


class FeedCaches:
    """The process-local memory of the feeds of one app."""

    HOT_SIZE = 20_000  # feed URLs: (version, local day, key, etag, last modified, private)
    BODY_SIZE = 256  # rendered bodies: key -> (etag, body, gzipped body)
    EVENT_SIZE = 50_000  # VEVENT bytes by the hash of what goes into them

    def __init__(self):
        self.hot = LRU(self.HOT_SIZE)
        self.bodies = LRU(self.BODY_SIZE)
        self.events = LRU(self.EVENT_SIZE)

    def forget_feeds(self) -> None:
        """Forget what this process knows of each feed, as a fresh process would (the
        next poll goes through the token lookup, the validator and the shared table)."""
        self.hot.clear()
        self.bodies.clear()

    def clear(self) -> None:
        """Forget everything, the per-event bytes too (cold-render benchmarks)."""
        self.forget_feeds()
        self.events.clear()

    def get(self, session, key: str, etag: str) -> tuple[bytes, bytes] | None:
        """Return (body, gzipped body) cached for ``key`` at ``etag``, or None."""
        hit = self.bodies.get(key)
        if hit is not None and hit[0] == etag:
            return hit[1], hit[2]
        row = session.scalar(select(FeedCache).where(FeedCache.key == key))
        if row is not None and row.etag == etag:
            self.bodies.put(key, (etag, row.body, row.gzip_body))
            return row.body, row.gzip_body
        return None

    def remember(self, key: str, etag: str, body: bytes) -> bytes:
        """Keep a freshly rendered body in this process; returns its gzipped form."""
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        self.bodies.put(key, (etag, body, packed))
        return packed


def stage(session, key: str, etag: str, body: bytes, packed: bytes, events: int,
          now) -> None:
    """Write a body into the shared table (flushed; the caller commits)."""
    row = session.get(FeedCache, key)
    if row is None:
        session.add(FeedCache(key=key, etag=etag, body=body, gzip_body=packed,
                              events=events, updated_at=now))
    else:
        row.etag, row.body, row.gzip_body = etag, body, packed
        row.events, row.updated_at = events, now
    session.flush()
