"""Planning visits for a person cared for (single or repeating, condolence visits) and
festival visits for a whole community."""
from __future__ import annotations

from flask import abort
from flask_login import login_required

from . import bp


@bp.route("/care/<id:recipient_id>/plan", methods=["GET", "POST"])
@login_required
def plan(recipient_id: int):
    abort(404)


@bp.route("/care/festival", methods=["GET", "POST"])
@login_required
def festival():
    abort(404)
