"""Answer one feed request: the validator first (a 304 without rendering), then the
caches, then a render. Knows nothing of Flask: the view parses the request, hands over
what the client already holds (``client_has``) and the words in the feed's language,
and turns the ``Answer`` into a response.

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
from dataclasses import dataclass
from datetime import datetime

from ...database import begin_write
from ...domain.recurrence import get_zone
from . import cache as feed_cache
from .cache import FeedCaches
from .content import FeedSpec, Texts, Viewer, events
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


ClientHas = Callable[[str, datetime], bool]  # (etag, last modified): the client's copy


def local_day(at: datetime, zone: str) -> str:
    return at.astimezone(get_zone(zone)).date().isoformat()


def hot_answer(session, caches: FeedCaches, hot_key: str, version: int | None,
               at: datetime, zone: str, client_has: ClientHas) -> Answer | None:
    """Answer from the process's memory when nothing changed since; else None.

    While the data version and the local day are unchanged, a poll needs no other query."""
    entry = caches.hot.get(hot_key)
    if entry is None or version is None or entry[0] != version:
        return None
    _version, day, key, etag, last_modified, private = entry
    if day != local_day(at, zone):
        return None
    if client_has(etag, last_modified):
        return Answer(304, etag, last_modified, private)
    cached = caches.get(session, key, etag)
    if cached is None:
        return None
    return Answer(200, etag, last_modified, private, *cached)


def serve(session, caches: FeedCaches, feed: FeedRequest, settings: FeedSettings,
          at: datetime, client_has: ClientHas, words: Callable[[], Words], *,
          hot_key: str | None = None, version: int | None = None) -> Answer:
    """Answer a feed request: 304 from the validator, else cached or fresh bytes.

    ``words`` is only called when rendering."""
    day = local_day(at, settings.zone)
    key = f"{feed.key}:{feed.locale}:{feed.alarm_minutes}"
    digest, last_modified = stamp(session, feed.spec, feed.person_id, at, settings.past_days,
                                  settings.future_days, day)
    # The viewer is part of the validator: what a feed shows depends on whose eyes read it
    # (a coordinator moved to another community must not keep its old care details).
    viewer = feed.viewer
    eyes = (viewer.person_id, viewer.is_public,
            None if viewer.managed is None else sorted(viewer.managed))
    etag = hashlib.sha256(f"{key}|{digest}|{eyes}".encode()).hexdigest()[:32]
    if hot_key is not None and version is not None:
        caches.hot.put(hot_key, (version, day, key, etag, last_modified, feed.private))
    if client_has(etag, last_modified):
        return Answer(304, etag, last_modified, feed.private)
    cached = caches.get(session, key, etag)
    if cached is None:
        said = words()
        items = events(session, feed.spec, viewer, said.texts, at, settings.past_days,
                       settings.future_days, alarms=bool(feed.alarm_minutes))
        meta = CalendarMeta(name=said.name, description=said.description,
                            zone=settings.zone, base_url=settings.base_url,
                            uid_domain=settings.uid_domain,
                            alarm_minutes=feed.alarm_minutes, alarm_text=said.alarm_text)
        body = render(items, meta, caches.events)
        packed = caches.remember(key, etag, body)
        _share(session, key, etag, body, packed, len(items), at)
        cached = (body, packed)
    return Answer(200, etag, last_modified, feed.private, *cached)


def _share(session, key, etag, body, packed, count, at) -> None:
    """Store the body for the other processes in its own transaction (see the module
    docstring): committed here; a failure is rolled back and logged, never raised."""
    try:
        begin_write(session)
        feed_cache.stage(session, key, etag, body, packed, count, at)
        session.commit()
    except Exception:  # noqa: BLE001 — a cache write must never fail the feed
        session.rollback()
        log.warning("feed cache write failed for %s; the feed is served uncached "
                    "by the other processes", key.split(":", 1)[0], exc_info=True)
