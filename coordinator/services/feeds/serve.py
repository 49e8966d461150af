"""Answer one feed request: the data version first (unchanged: answered from memory),
then the stamp (unchanged: answered from the caches), then a render whose bytes decide
the ETag (their hash) and Last-Modified (the latest change they print, never later than
now; kept when the bytes came out the same). Knows nothing of Flask: the view parses
the request, hands over what the client already holds (``client_has``) and the words in
the feed's language, and turns the ``Answer`` into a response.

Write boundary: a feed GET reads, except for one write — a freshly rendered body goes
into the shared ``feed_cache`` table so that the other app processes find it. ``serve``
is that write's boundary, the one place under ``services/`` that commits, on purpose:
the row is never the request's data (nothing else is pending in the session of a GET),
and the write must never fail the answer, so its failure is contained right where it
happens — rolled back and logged as a warning — rather than in every view that serves
a feed. Everything else here flushes nothing and commits nothing.
"""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from ...database import begin_write
from ...domain.recurrence import get_zone
from . import cache as feed_cache
from .cache import FeedCaches, Meta
from .content import FeedSpec, Texts, Viewer, events, window
from .render import CalendarMeta, render
from .stamp import stamp

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeedSettings:
    """The app's feed settings (see ``config.feed_identity`` for the last two)."""

    zone: str
    past_days: int
    future_days: int
    base_url: str
    uid_domain: str


@dataclass(frozen=True)
class Words:
    """A calendar's words, in the feed owner's language."""

    texts: Texts
    name: str
    description: str
    alarm_text: str


@dataclass(frozen=True)
class FeedRequest:
    """Which feed, for whose eyes, in which language."""

    key: str  # the feed's cache key (token or community), before locale and alarm
    spec: FeedSpec
    viewer: Viewer
    locale: str
    private: bool
    person_id: int | None = None
    alarm_minutes: int | None = None


@dataclass(frozen=True)
class Answer:
    """What to send: 304 (no bodies) or 200 with the body and its gzipped form."""

    status: int
    etag: str
    last_modified: datetime
    private: bool
    body: bytes = b""
    gzip_body: bytes = b""


ClientHas = Callable[[Meta], bool]  # does the client's copy match these validators?


def identity(settings: FeedSettings) -> str:
    """A short digest of what a body prints besides the data: links and UIDs."""
    both = f"{settings.base_url} {settings.uid_domain}".encode()
    return hashlib.sha256(both).hexdigest()[:12]


def local_day(at: datetime, zone: str) -> str:
    return at.astimezone(get_zone(zone)).date().isoformat()


def hot_answer(session, caches: FeedCaches, hot_key: str, version: int | None,
               at: datetime, zone: str, client_has: ClientHas) -> Answer | None:
    """Answer from the process's memory when nothing changed since; else None.

    While the data version and the local day are unchanged, a poll needs no other query."""
    entry = caches.hot.get(hot_key)
    if entry is None or version is None or entry[0] != version:
        return None
    _version, day, key, meta, private = entry
    if day != local_day(at, zone):
        return None
    if client_has(meta):
        return Answer(304, meta.etag, meta.modified_at, private)
    cached = caches.body(session, key, meta.etag)
    if cached is None:
        return None
    return Answer(200, meta.etag, meta.modified_at, private, *cached)


def serve(session, caches: FeedCaches, feed: FeedRequest, settings: FeedSettings,
          at: datetime, client_has: ClientHas, words: Callable[[], Words], *,
          hot_key: str | None = None, version: int | None = None) -> Answer:
    """Answer a feed request: 304 when the client holds the current bytes, else the
    cached or freshly rendered bytes. ``words`` is only called when rendering."""
    day = local_day(at, settings.zone)
    win = window(at, settings.zone, settings.past_days, settings.future_days)
    key = f"{feed.key}:{feed.locale}:{feed.alarm_minutes}:{identity(settings)}"
    # The viewer is part of the stamp: what a feed shows depends on whose eyes read it
    # (a coordinator moved to another community must not keep its old care details).
    # So are the base URL and UID domain (in the key too): the shared table never hands
    # one app's links and UIDs to an app configured with another address.
    digest, latest = stamp(session, feed.spec, feed.viewer, win, day,
                           (settings.base_url, settings.uid_domain))
    meta = caches.meta(session, key, digest)
    cached = None
    if meta is not None and meta.stamp == digest and not client_has(meta):
        cached = caches.body(session, key, meta.etag)
    if meta is None or meta.stamp != digest or (cached is None and not client_has(meta)):
        meta, cached = _render(session, caches, feed, settings, at, words, win, key,
                               digest, latest, meta)
    if hot_key is not None and version is not None:
        caches.hot.put(hot_key, (version, day, key, meta, feed.private))
    if client_has(meta):
        return Answer(304, meta.etag, meta.modified_at, feed.private)
    return Answer(200, meta.etag, meta.modified_at, feed.private, *cached)


def _render(session, caches, feed, settings, at, words, win, key, digest, latest,
            before: Meta | None) -> tuple[Meta, tuple[bytes, bytes]]:
    said = words()
    items = events(session, feed.spec, feed.viewer, said.texts, win,
                   alarms=bool(feed.alarm_minutes))
    meta = CalendarMeta(name=said.name, description=said.description, zone=settings.zone,
                        base_url=settings.base_url, uid_domain=settings.uid_domain,
                        alarm_minutes=feed.alarm_minutes, alarm_text=said.alarm_text)
    body = render(items, meta, caches.events)
    etag = hashlib.sha256(body).hexdigest()[:32]
    if before is not None and before.etag == etag:
        fresh = replace(before, stamp=digest)  # the same bytes: the same validators
    else:
        fresh = Meta(digest, etag, *modified(before, latest, at))
    packed = caches.remember(key, fresh, body)
    fresh = _share(session, key, fresh, body, packed, len(items), at)
    caches.metas.put(key, fresh)
    return fresh, (body, packed)


def modified(before: Meta | None, latest: datetime | None, at: datetime
             ) -> tuple[datetime, bool]:
    """Return (Last-Modified, exact) of a new body: the latest change of what it prints,
    never later than now. When that is no later than the previous body's (a row left
    the feed, or a change committed after an earlier render began), it is now; and when
    it falls in the previous body's second, If-Modified-Since cannot tell the two apart
    (``exact`` False: such a request gets the body)."""
    second = (min(latest, at) if latest is not None else at).replace(microsecond=0)
    if before is None:
        return second, True
    previous = before.modified_at.replace(microsecond=0)
    if second <= previous:
        second = at.replace(microsecond=0)
    return second, second > previous


def _share(session, key, meta, body, packed, count, at) -> Meta:
    """Store the body for the other processes in its own transaction (see the module
    docstring): committed here; a failure is rolled back and logged, never raised.
    Returns the validators stored (another process's Last-Modified for the same bytes)."""
    try:
        begin_write(session)
        meta = feed_cache.stage(session, key, meta, body, packed, count, at)
        session.commit()
    except Exception:  # noqa: BLE001 — a cache write must never fail the feed
        session.rollback()
        log.warning("feed cache write failed for %s; the feed is served uncached "
                    "by the other processes", key.split(":", 1)[0], exc_info=True)
    return meta
