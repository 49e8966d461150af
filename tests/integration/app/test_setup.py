"""Setup from empty: migrations build the schema, agree with the models, and the
configuration comes from the environment with safe defaults."""
from __future__ import annotations

import logging
import os
import sqlite3
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect, text

from coordinator import create_app
from coordinator.extensions import db
from tests.support.database import FAST_ARGON2, PG_URL

PUBLIC = "https://vol.example.org"  # required outside development and tests


def _diff_after_upgrade(url, tmp_path):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x",
                      "INSTANCE_PATH": str(tmp_path), "PUBLIC_URL": PUBLIC, **FAST_ARGON2})
    runner = app.test_cli_runner()
    result = runner.invoke(args=["db", "upgrade"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
            tables = set(inspect(conn).get_table_names())
        db.engine.dispose()
    return diff, tables


def test_migrations_build_sqlite_schema_matching_models(tmp_path):
    diff, tables = _diff_after_upgrade(f"sqlite:///{tmp_path / 'fresh.sqlite'}", tmp_path)
    assert diff == []
    assert {"people", "accounts", "series", "occurrences", "assignments",
            "care_recipients", "audit_entries", "feed_tokens", "deliveries"} <= tables


def test_upgrade_in_process_leaves_the_app_loggers_working(tmp_path):
    """``flask db upgrade`` reads alembic.ini's logging section; it must not silence the
    loggers the app already has (the redacted access log, the scheduler's log)."""
    _diff_after_upgrade(f"sqlite:///{tmp_path / 'fresh.sqlite'}", tmp_path)
    for name in ("werkzeug", "coordinator.scheduler"):
        logger, seen = logging.getLogger(name), []
        handler = logging.Handler(logging.INFO)
        handler.emit = seen.append
        logger.addHandler(handler)
        try:
            logger.warning("still logging: %s", name)
        finally:
            logger.removeHandler(handler)
        assert [r.getMessage() for r in seen] == [f"still logging: {name}"]


@pytest.mark.skipif(not PG_URL, reason="TEST_DATABASE_URL not set")
def test_migrations_build_postgresql_schema_matching_models(tmp_path):
    name = f"coordinator_mig_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = PG_URL.rsplit("/", 1)[0] + "/" + name
        diff, tables = _diff_after_upgrade(url, tmp_path)
        assert diff == []
        assert "occurrences" in tables
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        admin.dispose()


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    config = {"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://",
              "PUBLIC_URL": PUBLIC}
    first = create_app(dict(config)).config["SECRET_KEY"]
    second = create_app(dict(config)).config["SECRET_KEY"]
    assert first == second and len(first) >= 64
    assert oct(os.stat(tmp_path / "secret_key").st_mode & 0o777) == "0o600"
    other = tmp_path / "other"
    assert create_app({**config, "INSTANCE_PATH": str(other)}).config["SECRET_KEY"] != first


def test_environment_configures_database_timezone_and_secret(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db.example/x")
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("COORDINATOR_TIMEZONE", "Europe/Berlin")
    monkeypatch.setenv("COORDINATOR_PUBLIC_URL", "https://vol.example.org/")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["PUBLIC_URL"] == "https://vol.example.org"  # without the slash
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/x"
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["TIMEZONE"] == "Europe/Berlin"
    assert app.config["BABEL_DEFAULT_LOCALE"] == "zh_CN"
    assert not (tmp_path / "secret_key").exists()


def test_default_database_is_sqlite_in_instance(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "PUBLIC_URL": PUBLIC})
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path}/coordinator.sqlite"


def test_sqlite_connections_get_wal_and_pragmas(app, backend):
    if backend != "sqlite":
        pytest.skip("SQLite pragmas")
    with app.app_context():
        values = {p: db.session.execute(text(f"PRAGMA {p}")).scalar()
                  for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")}
    assert values == {"journal_mode": "wal", "synchronous": 1, "foreign_keys": 1,
                      "busy_timeout": 15000}


def test_write_transactions_begin_immediate_on_sqlite(app, backend):
    """While a write transaction is open, another writer cannot even begin."""
    if backend != "sqlite":
        pytest.skip("SQLite locking")
    from coordinator.database import begin_write
    with app.app_context():
        begin_write(db.session)
        path = db.engine.url.database
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            db.session.rollback()
            other.execute("BEGIN IMMEDIATE")  # free again once we are done
            other.execute("ROLLBACK")
        finally:
            other.close()


def test_utc_column_refuses_naive_and_returns_aware(app):
    with app.app_context():
        _check_utc_column()


def _check_utc_column():
    from datetime import datetime, timezone

    from coordinator.models import AuditEntry
    with pytest.raises(Exception, match="naive"):
        db.session.add(AuditEntry(at=datetime(2026, 1, 1), action="x", entity="y"))
        db.session.flush()
    db.session.rollback()
    db.session.add(AuditEntry(at=datetime(2026, 1, 1, 8, tzinfo=timezone.utc), action="x",
                              entity="y"))
    db.session.commit()
    db.session.expire_all()
    loaded = db.session.scalar(db.select(AuditEntry))
    assert loaded.at == datetime(2026, 1, 1, 8, tzinfo=timezone.utc)
    assert loaded.at.tzinfo is not None


def test_healthz_answers(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
