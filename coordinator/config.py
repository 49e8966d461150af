"""Default settings. The environment is read in ``create_app``, never here."""
from datetime import timedelta
from urllib.parse import urlsplit


class Config:
    """Defaults for every environment; ``create_app`` layers the environment on top."""

    TIMEZONE = "Asia/Shanghai"
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    # hide_parameters: a database error's text names the statement, never its values (a
    # person's e-mail, address, notes would otherwise land in the error log).
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True, "hide_parameters": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    WTF_CSRF_TIME_LIMIT = None  # elderly users leave forms open for long
    # No view accepts uploads: 1 MiB is far above any form here, and a bigger body is
    # refused (413) before it is read. A future upload view raises it for itself
    # (``request.max_content_length = ...`` before touching ``request.files``).
    MAX_CONTENT_LENGTH = 1024 * 1024
    # Rolling horizon of materialised occurrences (weeks).
    HORIZON_WEEKS = 12
    # New series: volunteers may withdraw (and offer swaps) until this many hours before
    # the start. The series form starts with it; each series stores its own value.
    WITHDRAW_CUTOFF_HOURS = 12
    # Login throttle (seconds; see services/people/throttle.py): this many failures within
    # the window lock an account (or an unknown name) / a client address for LOGIN_LOCKOUT,
    # doubling with each lockout in a row up to LOGIN_LOCKOUT_MAX. Refused attempts hash
    # nothing. Behind a proxy set TRUSTED_PROXIES, or every client shares its address.
    LOGIN_MAX_FAILURES = 5
    LOGIN_ADDRESS_MAX_FAILURES = 20
    LOGIN_WINDOW = 15 * 60
    LOGIN_LOCKOUT = 15 * 60
    LOGIN_LOCKOUT_MAX = 24 * 60 * 60
    # How many proxies (nginx, a load balancer) stand in front of the app and set
    # X-Forwarded-For / X-Forwarded-Proto; 0: trust no such header (direct clients).
    TRUSTED_PROXIES = 0
    # Argon2id, argon2-cffi's defaults (t=3, m=64 MiB, p=4) exceed OWASP's minimum.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    # Calendar feeds: the window they cover, and the public address used in links/UIDs.
    FEED_PAST_DAYS = 30
    FEED_FUTURE_DAYS = 365
    # The address in every absolute link and the UID domain: see ``public_url`` (never the
    # request's Host). Required outside development and tests (or SERVER_NAME).
    PUBLIC_URL = None  # e.g. "https://volunteers.example.org"
    FEED_UID_DOMAIN = None  # stable UID domain; defaults to PUBLIC_URL's host
    # Weekly plan: above this many occurrences a week shows counts per group and day.
    PLAN_DETAIL_LIMIT = 400
    PLAN_GROUPS_PER_PAGE = 30
    # The PDF lists names up to this many occurrences (a township's busiest week fits),
    # and prints at most this many collapsed rows (the rest: narrow the filter).
    PLAN_PRINT_DETAIL_LIMIT = 2000
    PLAN_PRINT_GROUPS = 200
    GAPS_PER_PAGE = 20
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_FROM = "noreply@localhost"
    # Messages (reminders, notices, digests): see README "Reminders and digests".
    MAIL_USERNAME = None
    MAIL_PASSWORD = None
    MAIL_USE_TLS = False  # STARTTLS
    MAIL_USE_SSL = False  # SMTP over TLS (port 465)
    MAIL_TIMEOUT = 20
    MAIL_BACKEND = None  # "smtp" | "console"; default: smtp with MAIL_SERVER, console in dev
    SMS_URL = None  # generic HTTP gateway: JSON POST {"to", "text", "id"}
    SMS_KEY = None  # sent as "Authorization: Bearer <key>"
    SMS_TIMEOUT = 20
    SMS_BACKEND = None  # "http" | "console"; default: http with SMS_URL, console in dev
    SMS_LENGTH = 70  # one Chinese SMS; minus the provider's 【signature】 if it counts
    QUIET_HOURS_START = "21:00"  # local; equal start and end switch quiet hours off
    QUIET_HOURS_END = "07:00"
    # Minutes: a change notice goes out in quiet hours when waiting for their end would
    # leave less than this before its shift (22:30 notice, 07:30 shift: sent at night).
    URGENT_NOTICE_MARGIN = 60
    DIGEST_TIME = "07:30"  # coordinators' daily digest, local time
    WEEKLY_SUMMARY_TIME = "07:00"  # leaders' summary, Mondays, local time
    HORIZON_TIME = "02:30"  # nightly extension of every series' horizon
    NOTIFY_SWEEP_SECONDS = 60
    NOTIFY_MAX_ATTEMPTS = 5
    NOTIFY_RETRY_SECONDS = 120  # first retry after this; doubles each time
    NOTIFY_STALE_CLAIM_SECONDS = 900
    NOTIFY_BATCH = 200
    NOTIFY_SENDER_THREADS = 2  # parallel senders in the scheduler (claims keep them apart)
    SCHEDULER_LOCK_FILE = None  # default: next to the SQLite file, or instance/
    SCHEDULER_LOCK_POLL_SECONDS = 5  # how often a waiting second scheduler tries the lock
    # The organisation named on service certificates and exports.
    ORGANISATION_NAME = "街道退休党员志愿服务队"
    # Attendance (see README "Attendance and service hours"): the roll of an occurrence is
    # open from this many minutes before its start until this many days after its end.
    ATTENDANCE_OPENS_MINUTES = 30
    ATTENDANCE_CLOSES_DAYS = 3
    # A person's minutes are capped at the occurrence's length plus this grace.
    ATTENDANCE_GRACE_MINUTES = 30
    # Which kinds of work count as volunteer service hours; the others (rehearsals, the
    # study day: organisational life) count as attendance only.
    SERVICE_KINDS = ("patrol", "care", "talk")
    # Changes after the roll closed need a leader's or admin's approval when True.
    CORRECTIONS_NEED_APPROVAL = False
    # Star levels (星级志愿者): hours of service for 1 to 5 stars.
    STAR_LEVEL_HOURS = (100, 300, 600, 1000, 1500)
    # The participation report lists active members with no participation for this long.
    DRIFT_WEEKS = 8
    # ID card numbers are collected (and exported) only when this is switched on.
    COLLECT_ID_NUMBERS = False
    # Care visits: an ended record keeps its private details this many days, then the
    # nightly job erases them; a visitor sees a visit's details from assignment until this
    # many days after it.
    CARE_KEEP_DAYS = 365
    CARE_VISITOR_DAYS = 7
    # An admin's opening of a community's care register lasts this many minutes.
    CARE_OPENING_MINUTES = 60
    CARE_ERASURE_TIME = "03:00"  # the nightly erasure of ended records' details
    # Shown on the login page while demo data is loaded.
    DEMO_PASSWORD = "demo"  # noqa: S105 — the published demo password, demo data only


class ConfigError(RuntimeError):
    """A setting the app cannot start without is missing or wrong."""


DEVELOPMENT_URL = "http://127.0.0.1:5000"  # what ``flask run`` serves without --port
TESTING_URL = "http://localhost"  # the host of Flask's test client


def public_url(config) -> str:
    """Return the one address the app writes into every absolute link (no trailing /).

    Never the request's Host header: a client chooses that one, and a feed or an e-mail
    rendered for one reader is served to all. ``PUBLIC_URL``, else ``SERVER_NAME`` with
    ``PREFERRED_URL_SCHEME``; in development ``DEVELOPMENT_URL``, under TESTING
    ``TESTING_URL``; anywhere else the app refuses to start (``ConfigError``).
    """
    public = (config.get("PUBLIC_URL") or "").strip().rstrip("/")
    if public:
        parts = urlsplit(public)
        if parts.scheme not in ("http", "https") or not parts.hostname or (
                parts.path or parts.query or parts.fragment):
            raise ConfigError(f"COORDINATOR_PUBLIC_URL must be an address like "
                              f"https://volunteers.example.org, not {public!r}")
        return public
    if config.get("SERVER_NAME"):
        scheme = config.get("PREFERRED_URL_SCHEME") or "http"
        return f"{scheme}://{config['SERVER_NAME']}".rstrip("/")
    if config.get("DEVELOPMENT"):
        return DEVELOPMENT_URL
    if config.get("TESTING"):
        return TESTING_URL
    raise ConfigError(
        "set COORDINATOR_PUBLIC_URL to the address people use to reach this service (e.g. "
        "https://volunteers.example.org): feed, e-mail and SMS links and event UIDs are "
        "built from it, never from a request's Host header (or set COORDINATOR_SERVER_NAME "
        "and COORDINATOR_PREFERRED_URL_SCHEME)")


def feed_identity(config) -> tuple[str, str]:
    """Return ``(base_url, uid_domain)``: the address in feed and message links, and the
    domain part of every event UID.

    Both come from configuration only (``create_app`` stores ``public_url`` as
    ``PUBLIC_URL``), never from a request: the scheduler has none, a calendar that gets
    both the feed and a reminder's attached event must see one UID for one shift, and a
    cached feed is served to every reader. The UID domain is ``FEED_UID_DOMAIN``, else the
    host of ``PUBLIC_URL``.
    """
    base = public_url(config)
    domain = config.get("FEED_UID_DOMAIN") or urlsplit(base).hostname
    return base, domain
