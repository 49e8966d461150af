"""Rendered feeds, cached per feed: a process-local LRU in front of a table shared by
every app process. Each body is kept with the stamp of the data it was rendered from
(``stamp``): a poll whose stamp differs renders again, and keeps the old ETag and
Last-Modified when the bytes came out the same.

The process-local memory is one ``FeedCaches`` object per app (``create_app`` makes it,
so every app, and every test, starts empty): what each feed URL last answered (``hot``),
each feed's validators (``metas``) and body (``bodies``), and each VEVENT's bytes
(``events``, see ``render``).
"""
from __future__ import annotations

import gzip
import threading
from collections import OrderedDict
from dataclasses import dataclass
from datetime import datetime

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


@dataclass(frozen=True)
class Meta:
    """A feed body's validators: the stamp it was rendered at, the hash of its bytes, its
    Last-Modified, and whether that second tells it apart from the body before it."""

    stamp: str
    etag: str
    modified_at: datetime
    exact: bool = True


class FeedCaches:
    """The process-local memory of the feeds of one app."""

    HOT_SIZE = 20_000  # feed URLs: (version, local day, key, Meta, private)
    BODY_SIZE = 256  # rendered bodies: key -> (etag, body, gzipped body)
    META_SIZE = 20_000  # key -> Meta
    EVENT_SIZE = 50_000  # VEVENT bytes by the hash of what goes into them

    def __init__(self):
        self.hot = LRU(self.HOT_SIZE)
        self.metas = LRU(self.META_SIZE)
        self.bodies = LRU(self.BODY_SIZE)
        self.events = LRU(self.EVENT_SIZE)

    def forget_feeds(self) -> None:
        """Forget what this process knows of each feed, as a fresh process would (the
        next poll goes through the token lookup, the validator and the shared table)."""
        self.hot.clear()
        self.metas.clear()
        self.bodies.clear()

    def clear(self) -> None:
        """Forget everything, the per-event bytes too (cold-render benchmarks)."""
        self.forget_feeds()
        self.events.clear()

    def meta(self, session, key: str, stamp: str) -> Meta | None:
        """Return the validators of the feed's last body: this process's when rendered at
        ``stamp``, else the shared table's (another process may have rendered since)."""
        hit = self.metas.get(key)
        if hit is not None and hit.stamp == stamp:
            return hit
        row = session.execute(select(FeedCache.stamp, FeedCache.etag, FeedCache.modified_at,
                                     FeedCache.exact).where(FeedCache.key == key)).first()
        if row is None or row.modified_at is None:
            return hit
        found = Meta(row.stamp or "", row.etag, row.modified_at, row.exact)
        self.metas.put(key, found)
        return found

    def body(self, session, key: str, etag: str) -> tuple[bytes, bytes] | None:
        """Return (body, gzipped body) of ``key`` at ``etag``, or None."""
        hit = self.bodies.get(key)
        if hit is not None and hit[0] == etag:
            return hit[1], hit[2]
        row = session.execute(select(FeedCache.body, FeedCache.gzip_body).where(
            FeedCache.key == key, FeedCache.etag == etag)).first()
        if row is None:
            return None
        self.bodies.put(key, (etag, row.body, row.gzip_body))
        return row.body, row.gzip_body

    def remember(self, key: str, meta: Meta, body: bytes) -> bytes:
        """Keep a freshly rendered body in this process; returns its gzipped form."""
        packed = gzip.compress(body, compresslevel=6, mtime=0)
        self.metas.put(key, meta)
        self.bodies.put(key, (meta.etag, body, packed))
        return packed


def stage(session, key: str, meta: Meta, body: bytes, packed: bytes, events: int,
          now) -> Meta:
    """Write a body into the shared table (flushed; the caller commits). When another
    process already stored the same bytes, its Last-Modified stays (and is returned)."""
    row = session.get(FeedCache, key)
    if row is None:
        session.add(FeedCache(key=key, stamp=meta.stamp, etag=meta.etag, body=body,
                              gzip_body=packed, modified_at=meta.modified_at,
                              exact=meta.exact, events=events, updated_at=now))
    else:
        if row.etag == meta.etag and row.modified_at is not None:
            meta = Meta(meta.stamp, meta.etag, row.modified_at, row.exact)
        else:
            row.etag, row.body, row.gzip_body = meta.etag, body, packed
            row.modified_at, row.exact = meta.modified_at, meta.exact
        row.stamp, row.events, row.updated_at = meta.stamp, events, now
    session.flush()
    return meta
