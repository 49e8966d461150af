"""Translated labels for the codes stored in the database."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLE = {"volunteer": _l("Volunteer"), "coordinator": _l("Coordinator"),
        "leader": _l("Leader"), "admin": _l("Administrator")}
KIND = {"patrol": _l("Patrol"), "care": _l("Care visit"), "rehearsal": _l("Rehearsal"),
        "talk": _l("Youth talk"), "meeting": _l("Meeting / study day")}
ASSIGNMENT = {"confirmed": _l("Confirmed"), "waitlisted": _l("On the waitlist"),
              "withdrawn": _l("Withdrawn")}
PERSON = {"active": _l("Active"), "away": _l("Away for a while"), "inactive": _l("Inactive")}
TEAM = {"patrol": _l("Patrol team"), "troupe": _l("Troupe"), "care": _l("Care group"),
        "speakers": _l("Speakers' group"), "branch": _l("Branch"), "other": _l("Other")}
VENUE = {"room": _l("Room"), "hall": _l("Hall"), "outside": _l("Outside place")}


def _lookup(table):
    return lambda code: str(table.get(code, code))


def init_app(app) -> None:
    """Make the label functions available to every template."""
    app.jinja_env.globals.update(
        role_label=_lookup(ROLE), kind_label=_lookup(KIND), status_label=_lookup(ASSIGNMENT),
        person_status_label=_lookup(PERSON), team_kind_label=_lookup(TEAM),
        venue_kind_label=_lookup(VENUE))
