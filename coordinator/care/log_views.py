"""The visit log a visitor writes after a care visit, and the coordinators' closing of
a need marked for follow-up."""
from __future__ import annotations

from flask import abort
from flask_login import login_required

from . import bp


@bp.route("/shifts/<id:occurrence_id>/care-log", methods=["GET", "POST"])
@login_required
def visit_log(occurrence_id: int):
    abort(404)


@bp.route("/care/needs/<id:log_id>/close", methods=["GET", "POST"])
@login_required
def close_need(log_id: int):
    abort(404)
