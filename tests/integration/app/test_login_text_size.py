"""A text size chosen on the login page (特大, to read the form) stays after logging in:
the account's stored size used to win and shrank the text back at once."""
from __future__ import annotations

from coordinator.extensions import db
from coordinator.models import Account
from tests.support.web import login, post


def test_the_text_size_chosen_on_the_login_page_stays_after_login(app, client, org):
    post(client, "/preferences", {"text_size": "xlarge", "next": "/login"}, token_from="/login")
    assert 'class="text-xlarge"' in client.get("/login").get_data(as_text=True)
    assert login(client, "coord1").status_code == 302
    assert 'class="text-xlarge"' in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Account, org["coord1"].id).text_size == "xlarge"


def test_without_a_choice_the_accounts_own_size_is_kept(app, client, org):
    with app.app_context():
        db.session.get(Account, org["coord1"].id).text_size = "large"
        db.session.commit()
    assert login(client, "coord1").status_code == 302
    assert 'class="text-large"' in client.get("/").get_data(as_text=True)
