"""The one write boundary: a refusal after a write leaves nothing behind, and the domain's
refusals that reach the app become pages in the user's language (never a 500)."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select

from coordinator.domain.errors import DomainError, Forbidden, NotFound
from coordinator.extensions import db
from coordinator.http.transactions import write
from coordinator.models import Community


def _count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(Community))


def _writes_then_refuses(error):
    def action():
        db.session.add(Community(name="半途社区", code="HALF"))
        db.session.flush()
        raise error
    return action


@pytest.fixture
def routed(app):
    """The app with routes that write a row and then refuse in each way."""
    lead_only = "Only a team lead can take this place."

    def unhandled():  # a read view whose service refuses: the app answers for it
        _writes_then_refuses(DomainError(lead_only))()
        return "unreachable"

    def returned():
        _result, error = write(_writes_then_refuses(DomainError(lead_only)))
        return ("returned" if error is not None else "committed"), 200

    def forbidden():
        write(_writes_then_refuses(Forbidden("no")))
        return "unreachable"

    def missing():
        write(_writes_then_refuses(NotFound("no")))
        return "unreachable"

    for name, view in (("refused", returned), ("unhandled", unhandled),
                       ("forbidden", forbidden), ("missing", missing)):
        app.add_url_rule(f"/_t/{name}", f"t_{name}", view, methods=["POST"])
    app.config["WTF_CSRF_ENABLED"] = False
    return app


@pytest.mark.parametrize("path, status", [
    ("/_t/refused", 200), ("/_t/forbidden", 403), ("/_t/missing", 404), ("/_t/unhandled", 400)])
def test_refusal_after_a_write_saves_nothing_and_answers_a_page(routed, path, status):
    client = routed.test_client()
    before = _count(routed)
    response = client.post(path, headers={"Accept-Language": "zh-CN"})
    assert response.status_code == status
    assert _count(routed) == before  # the flushed row was rolled back
    if path == "/_t/unhandled":
        # The refusal's own message, translated, on the error page (not a 500).
        assert "这个名额只能由组长担任" in response.get_data(as_text=True)
