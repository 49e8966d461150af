"""Assigning a member from a page (the occurrence page, the gap list, the home page): one
write that overrides only the rules the coordinator confirmed by name, and the
confirmation step that names them first."""
from __future__ import annotations

from flask import current_app
from flask_login import current_user

from ..clock import now
from ..domain.errors import Forbidden
from ..extensions import db
from ..models import Person
from ..services.shifts import signups
from . import notices, overrides
from .transactions import write


def assign_and_say(role_id: int, person_id: int, confirmed: str | None):
    """Assign in one write, overriding only the rule codes in ``confirmed`` (space
    separated); return ``(result, error, the person's name)``."""
    person = db.session.get(Person, person_id)
    name = person.full_name if person is not None else ""
    result, error = write(lambda: signups.sign_up(
        db.session, current_user, role_id, now(), person_id=person_id,
        zone=current_app.config["TIMEZONE"], override=(confirmed or "").split(),
        explain=lambda problems: overrides.explain(problems, name)), returns=(Forbidden,))
    return result, error, name


def confirmation(card: str, person_id: int, name: str, problems) -> dict:
    """The confirmation for the card: the rules in words and a button naming them."""
    return notices.make(card, "confirm", overrides.explain(problems, name),
                        person_id=person_id, name=name,
                        codes=" ".join(sorted({p.code for p in problems})),
                        button=overrides.confirm_label(problems))
