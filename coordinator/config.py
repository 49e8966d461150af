"""Default settings. The environment is read in ``create_app``, never here."""
from datetime import timedelta


class Config:
    """Defaults for every environment; ``create_app`` layers the environment on top."""

    TIMEZONE = "Asia/Shanghai"
    BABEL_DEFAULT_LOCALE = "zh_CN"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
    LANGUAGES = ("zh_CN", "en")
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = True
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_SECURE = True
    PERMANENT_SESSION_LIFETIME = timedelta(days=30)
    WTF_CSRF_TIME_LIMIT = None  # elderly users leave forms open for long
    # Rolling horizon of materialised occurrences (weeks).
    HORIZON_WEEKS = 12
    WITHDRAW_CUTOFF_HOURS = 12
    # Argon2id, argon2-cffi's defaults (t=3, m=64 MiB, p=4) exceed OWASP's minimum.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536
    ARGON2_PARALLELISM = 4
    # Calendar feeds: the window they cover, and the public address used in links/UIDs.
    FEED_PAST_DAYS = 30
    FEED_FUTURE_DAYS = 365
    PUBLIC_URL = None  # e.g. "https://volunteers.example.org"; defaults to the request host
    FEED_UID_DOMAIN = None  # stable UID domain; defaults to PUBLIC_URL's host
    MAIL_SERVER = None
    MAIL_PORT = 25
    MAIL_FROM = "noreply@localhost"
    # Shown on the login page while demo data is loaded.
    DEMO_PASSWORD = "demo"  # noqa: S105 — the published demo password, demo data only
