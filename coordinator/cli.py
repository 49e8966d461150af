"""Thin click commands: load, call a service, commit, print."""
from __future__ import annotations

import time as _time

import click
from flask import current_app
from flask.cli import with_appcontext

from .clock import now
from .extensions import db


@click.command("seed-demo")
@click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 1000),
              help="Build the township this many times (170 gives about 100,000 volunteers).")
@click.option("--if-empty", is_flag=True, help="Do nothing when any community exists.")
@with_appcontext
def seed_demo_command(scale: int, if_empty: bool) -> None:
    """Load the demo township (9 communities, about 600 volunteers) N times."""
    from .demo import loader as demo
    from .domain.errors import DomainError
    from .services.people import accounts

    if if_empty and demo.has_data(db.session):
        click.echo("Data present; demo not loaded again.")
        return
    started = _time.perf_counter()
    try:
        counts = demo.seed_demo(db.session, scale=scale, now=now(),
                                password_hash=accounts.hash_password(
                                    current_app.config["DEMO_PASSWORD"]),
                                horizon_weeks=current_app.config["HORIZON_WEEKS"],
                                timezone_name=current_app.config["TIMEZONE"])
    except DomainError as exc:
        db.session.rollback()
        raise click.ClickException(str(exc)) from None
    db.session.commit()
    elapsed = _time.perf_counter() - started
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()) + f" seconds={elapsed:.1f}")
    click.echo(f"Demo logins (password: {current_app.config['DEMO_PASSWORD']}): "
               "admin, leader, coordinator, volunteer")


@click.command("extend-horizon")
@click.option("--weeks", type=click.IntRange(1, 104), default=None,
              help="Weeks ahead to materialise (default HORIZON_WEEKS).")
@with_appcontext
def extend_horizon_command(weeks: int | None) -> None:
    """Materialise occurrences of every series up to the rolling horizon."""
    from .database import begin_write
    from .services.schedule.horizon import horizon_end, materialize

    at = now()
    begin_write(db.session)
    created = materialize(db.session, None,
                          horizon_end(at, weeks or current_app.config["HORIZON_WEEKS"]), at)
    db.session.commit()
    click.echo(f"occurrences created: {created}")


@click.command("create-admin")
@click.argument("username")
@click.password_option()
@with_appcontext
def create_admin_command(username: str, password: str) -> None:
    """Create an administrator account (there is no default admin)."""
    from .domain.errors import DomainError
    from .models import Account
    from .services.people import accounts

    try:
        accounts.check_password_policy(password)
        accounts._validate_account(db.session, accounts.AccountInput(role="admin",
                                                                     username=username), None)
    except DomainError as exc:
        raise click.ClickException(exc.message) from None
    db.session.add(Account(role="admin", username=username,
                           password_hash=accounts.hash_password(password)))
    db.session.commit()
    click.echo(f"admin {username} created")


def init_app(app) -> None:
    """Register the commands on ``app``."""
    from .jobs.runner import scheduler_command
    for command in (seed_demo_command, extend_horizon_command, create_admin_command,
                    scheduler_command):
        app.cli.add_command(command)
