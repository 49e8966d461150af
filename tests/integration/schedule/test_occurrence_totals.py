"""Each occurrence's totals of its slots (places needed, places filled counting none beyond
the need, people confirmed) are kept by triggers: on a schema built by the migrations
(backfilled from existing slots) as on one built by create_all, on SQLite and PostgreSQL."""
from __future__ import annotations

from sqlalchemy import text

from coordinator.database import begin_write
from coordinator.extensions import db
from coordinator.services.schedule import changes
from coordinator.services.shifts import signups
from tests.support.scheduling import NOW, ZONE, account, build_world, patrol, roles_of

BEFORE = "67ca560a9627"  # the revision before the totals

MISMATCHES = text("""
    SELECT o.id, o.places_needed, o.places_filled, o.people_confirmed, s.n, s.f, s.p
    FROM occurrences o LEFT JOIN (
        SELECT occurrence_id, SUM(needed) AS n,
               SUM(CASE WHEN filled < needed THEN filled ELSE needed END) AS f,
               SUM(filled) AS p
        FROM occurrence_roles GROUP BY occurrence_id) s ON s.occurrence_id = o.id
    WHERE o.places_needed <> COALESCE(s.n, 0) OR o.places_filled <> COALESCE(s.f, 0)
       OR o.people_confirmed <> COALESCE(s.p, 0)""")


def _totals(conn, occurrence_id):
    return tuple(conn.execute(text(
        "SELECT places_needed, places_filled, people_confirmed FROM occurrences WHERE id = :o"),
        {"o": occurrence_id}).one())


def test_migrated_schema_keeps_totals_and_the_migration_backfills_them(migrated):
    app, run = migrated
    world = build_world(n_people=4)
    series_id = patrol(world, needed=2, maximum=3, until_days=2)
    first, second, third = roles_of(series_id)[:3]
    with db.engine.connect() as conn:
        occurrence_of = dict(conn.execute(text(
            "SELECT id, occurrence_id FROM occurrence_roles")).all())
        assert _totals(conn, occurrence_of[first]) == (2, 0, 0)  # inserted by materialise

    # Through the services: three people on the first patrol, one beyond the need.
    for account_id in world["accounts"][:3]:
        begin_write(db.session)
        signups.sign_up(db.session, account(account_id), first, NOW, zone=ZONE)
        db.session.commit()
    with db.engine.connect() as conn:
        assert _totals(conn, occurrence_of[first]) == (2, 2, 3)
    begin_write(db.session)
    changes.change_counts(db.session, account(world["coordinator"]), occurrence_of[first],
                          {first: (3, 3)}, NOW)
    db.session.commit()
    begin_write(db.session)
    changes.cancel_occurrence(db.session, account(world["coordinator"]),
                              occurrence_of[second], "下雨", NOW)
    db.session.commit()
    with db.engine.connect() as conn:
        assert _totals(conn, occurrence_of[first]) == (3, 3, 3)
        assert _totals(conn, occurrence_of[second]) == (2, 0, 0)
    db.session.remove()

    # Slots written while the schema had no totals are counted by the upgrade.
    run("downgrade", BEFORE)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE occurrence_roles SET filled = 3 WHERE id = :r"),
                     {"r": third})
    run("upgrade")
    with db.engine.begin() as conn:
        assert _totals(conn, occurrence_of[third]) == (2, 2, 3)
        assert _totals(conn, occurrence_of[first]) == (3, 3, 3)
        assert conn.execute(MISMATCHES).all() == []
        # And the triggers are back: raw writes, deletes and inserts keep the totals.
        conn.execute(text("UPDATE occurrence_roles SET filled = 1 WHERE id = :r"),
                     {"r": third})
        conn.execute(text("DELETE FROM occurrence_roles WHERE id = :r"), {"r": first})
        conn.execute(text(
            "INSERT INTO occurrence_roles (occurrence_id, name, needed, maximum, filled, is_lead)"
            " VALUES (:o, '记录员', 1, 2, 2, :f)"), {"o": occurrence_of[second], "f": False})
        assert _totals(conn, occurrence_of[third]) == (2, 1, 1)
        assert _totals(conn, occurrence_of[first]) == (0, 0, 0)
        assert _totals(conn, occurrence_of[second]) == (3, 1, 2)
        assert conn.execute(MISMATCHES).all() == []


def test_create_all_schema_keeps_totals(app):
    """The tests' own schema (create_all) carries the same triggers."""
    with app.app_context():
        world = build_world(n_people=2)
        role = roles_of(patrol(world, needed=1, maximum=2, until_days=0))[0]
        for account_id in world["accounts"]:
            begin_write(db.session)
            signups.sign_up(db.session, account(account_id), role, NOW, zone=ZONE)
            db.session.commit()
        with db.engine.connect() as conn:
            occurrence_id = conn.execute(text(
                "SELECT occurrence_id FROM occurrence_roles WHERE id = :r"), {"r": role}).scalar()
            assert _totals(conn, occurrence_id) == (1, 1, 2)
            assert conn.execute(MISMATCHES).all() == []


def test_downgrading_past_a_rebuilt_table_keeps_the_rows_that_point_at_it(migrated):
    """Going back past ``accounts.is_also_leader`` rebuilds ``accounts`` on SQLite (batch
    mode); the coordinators' scopes, which cascade from accounts, must survive it."""
    _app, run = migrated
    world = build_world(n_people=2)
    db.session.remove()
    scopes = text("SELECT COUNT(*) FROM coordinator_scopes")
    with db.engine.connect() as conn:
        before = conn.execute(scopes).scalar()
    assert before == 1 and world["coordinator"]
    run("downgrade", "7582c9e3c8a9")
    with db.engine.connect() as conn:
        assert conn.execute(scopes).scalar() == before
        assert conn.execute(text("SELECT COUNT(*) FROM people")).scalar() == 3
    run("upgrade")
    with db.engine.connect() as conn:
        assert conn.execute(scopes).scalar() == before
