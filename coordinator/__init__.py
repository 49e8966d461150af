"""The volunteer coordination service: ``create_app`` builds the Flask app."""
from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import Flask

from . import database, versioning  # noqa: F401  (register engine and session listeners)
from .config import Config, public_url
from .extensions import csrf, db, login, migrate
from .services.feeds import sources  # noqa: F401  (sets shown_at: see its docstring)

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    """Build the app: config, extensions, blueprints, CLI and error handlers."""
    instance = (config or {}).get("INSTANCE_PATH") or os.environ.get(
        "COORDINATOR_INSTANCE_PATH") or str(PROJECT_ROOT / "instance")
    app = Flask(__name__, instance_path=instance,
                template_folder=str(PROJECT_ROOT / "templates"))
    app.config.from_object(Config)
    _load_environment(app)
    if config:
        app.config.update(config)
    os.makedirs(app.instance_path, exist_ok=True)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(app)
    _finish_config(app)

    from .clock import now
    from .models.types import set_shown_clock
    set_shown_clock(now)

    from .services.people.accounts import configure_hasher
    configure_hasher(app.config["ARGON2_TIME_COST"], app.config["ARGON2_MEMORY_COST"],
                     app.config["ARGON2_PARALLELISM"])

    from .feeds.views import FeedTokenConverter
    from .http.urls import IdConverter
    app.url_map.converters["id"] = IdConverter
    app.url_map.converters["feedtoken"] = FeedTokenConverter

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)

    from . import vocab
    from .admin import init_app as init_admin
    from .attendance import init_app as init_attendance
    from .auth import init_app as init_auth
    from .care import init_app as init_care
    from .cli import init_app as init_cli
    from .feeds import init_app as init_feeds
    from .http import i18n, inputs, logs, security
    from .http.errors import init_app as init_errors
    from .plan import init_app as init_plan
    from .records import init_app as init_records
    from .reports import init_app as init_reports
    from .schedule import init_app as init_schedule
    from .web import init_app as init_web

    logs.init_app(app)
    app.logger.info("links and event UIDs use %s", app.config["PUBLIC_URL"])
    i18n.init_app(app)
    vocab.init_app(app)
    login.init_app(app)
    init_auth(app)
    security.init_app(app)
    inputs.init_app(app)
    init_errors(app)
    init_web(app)
    init_admin(app)
    init_schedule(app)
    init_feeds(app)
    init_plan(app)
    init_attendance(app)
    init_records(app)
    init_care(app)
    init_reports(app)
    init_cli(app)
    if app.config["TRUSTED_PROXIES"]:
        # The client's address (the login throttle's key) and scheme, as the proxies saw
        # them; headers beyond the trusted hops are ignored, so a client cannot forge them.
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    return app


def _load_environment(app: Flask) -> None:
    if os.environ.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = os.environ["DATABASE_URL"]
    if os.environ.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
    # COORDINATOR_TIMEZONE -> TIMEZONE, COORDINATOR_MAIL_SERVER -> MAIL_SERVER, ...
    app.config.from_prefixed_env("COORDINATOR")


def _finish_config(app: Flask) -> None:
    from .database import normalise_url

    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL") or (
        "sqlite:///" + os.path.join(app.instance_path, "coordinator.sqlite"))
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_url(url)
    # Engine options given in full (e.g. a bigger pool) still hide SQL parameters.
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = {
        "hide_parameters": True, **app.config.get("SQLALCHEMY_ENGINE_OPTIONS", {})}
    app.config["BABEL_DEFAULT_TIMEZONE"] = app.config["TIMEZONE"]
    # Every absolute link and UID comes from here, never from a request's Host; outside
    # development and tests a missing PUBLIC_URL (or SERVER_NAME) stops the start.
    app.config["PUBLIC_URL"] = public_url(app.config)
    if app.config.get("DEVELOPMENT") or app.config.get("TESTING"):
        # Plain http on 127.0.0.1 in development: a Secure cookie would never come back.
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
    if app.config["SESSION_COOKIE_SECURE"]:
        app.config.setdefault("SESSION_COOKIE_NAME", "__Host-session")
        app.config["SESSION_COOKIE_NAME"] = "__Host-session"


def _instance_secret(app: Flask) -> str:
    """Return the secret key kept in ``instance/``, creating it once (mode 0600)."""
    path = Path(app.instance_path) / "secret_key"
    if not path.exists():
        tmp = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_hex(32))
        try:  # link() fails if another worker won the race; then we read theirs
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()
