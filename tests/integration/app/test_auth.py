"""Login and logout for each role, sessions that really end, CSRF, headers, cookies."""
from __future__ import annotations

import pytest

from coordinator.extensions import db
from coordinator.models import Account, AuditEntry
from tests.support.database import TEST_PASSWORD
from tests.support.web import csrf_token, login, post


@pytest.mark.parametrize("who,identifier", [("admin", "admin1"), ("leader", "leader1"),
                                            ("coord1", "coord1"), ("vol1", None)])
def test_each_role_logs_in_and_out(client, org, who, identifier):
    identifier = identifier or org["v1"].phone
    response = login(client, identifier)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200
    assert org[who].display_name in home.get_data(as_text=True)
    out = post(client, "/logout", token_from="/")
    assert out.status_code == 302
    assert client.get("/").status_code == 302  # back to the login page


def test_volunteer_logs_in_with_phone_in_any_format(client, org):
    phone = org["v1"].phone
    formatted = f"+86 {phone[:3]}-{phone[3:7]}-{phone[7:]}"
    assert login(client, formatted).status_code == 302


def test_wrong_password_and_unknown_user_get_one_message(client, org):
    for identifier in ("admin1", "nobody"):
        response = login(client, identifier, "wrong password")
        assert response.status_code == 200
        assert "用户名、手机号或密码不正确。" in response.get_data(as_text=True)
        assert client.get("/").status_code == 302


def test_logout_kills_a_copied_session_cookie(app, org):
    first, thief = app.test_client(), app.test_client()
    login(first, "coord1")
    cookie = first.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    assert thief.get("/").status_code == 200
    post(first, "/logout", token_from="/")
    assert thief.get("/").status_code == 302


def test_deactivating_an_account_ends_its_sessions(app, org):
    admin, victim = app.test_client(), app.test_client()
    login(admin, "admin1")
    login(victim, "coord1")
    assert victim.get("/").status_code == 200
    response = post(admin, f"/admin/accounts/{org['coord1'].id}/enabled", {"enabled": "0"},
                    token_from=f"/admin/accounts/{org['coord1'].id}")
    assert response.status_code == 302
    assert victim.get("/").status_code == 302
    assert login(victim, "coord1").status_code == 200  # refused at the form
    with app.app_context():
        assert db.session.scalar(db.select(AuditEntry).where(
            AuditEntry.action == "account.disable")) is not None


def test_enabling_an_enabled_account_keeps_its_sessions(app, org):
    admin, user = app.test_client(), app.test_client()
    login(admin, "admin1")
    login(user, "coord1")
    response = post(admin, f"/admin/accounts/{org['coord1'].id}/enabled", {"enabled": "1"},
                    token_from=f"/admin/accounts/{org['coord1'].id}")
    assert response.status_code == 302
    assert user.get("/").status_code == 200  # still logged in


def test_reenabled_account_logs_in_again(app, org):
    admin, user = app.test_client(), app.test_client()
    login(admin, "admin1")
    for enabled in ("0", "1"):
        post(admin, f"/admin/accounts/{org['coord1'].id}/enabled", {"enabled": enabled},
             token_from=f"/admin/accounts/{org['coord1'].id}")
    assert login(user, "coord1").status_code == 302
    assert user.get("/").status_code == 200


def _accounts(app):
    with app.app_context():
        return db.session.scalar(db.select(db.func.count(Account.id)))


def test_post_without_csrf_token_is_refused(app, client, org):
    response = client.post("/login", data={"identifier": "admin1", "password": TEST_PASSWORD})
    assert response.status_code == 400
    assert client.get("/").status_code == 302  # not logged in
    login(client, "admin1")
    count = _accounts(app)
    forged = client.post("/admin/accounts/new", data={"role": "admin", "username": "evil",
                                                      "password": "long enough pw"})
    assert forged.status_code == 400
    assert _accounts(app) == count


def test_security_headers_and_cookie_flags(client, org):
    page = client.get("/login")
    csp = page.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    response = login(client, "admin1")
    set_cookie = response.headers.get("Set-Cookie")
    assert "HttpOnly" in set_cookie and "SameSite=Lax" in set_cookie


def test_cookies_are_secure_outside_development(tmp_path, monkeypatch):
    from coordinator import create_app
    monkeypatch.delenv("COORDINATOR_DEVELOPMENT", raising=False)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "PUBLIC_URL": "https://vol.example.org"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert app.config["REMEMBER_COOKIE_SECURE"] is True


def test_open_redirect_after_login_is_refused(client, org):
    token = csrf_token(client, "/login")
    response = client.post("/login", data={"identifier": "admin1", "password": TEST_PASSWORD,
                                           "next": "https://evil.example/", "csrf_token": token})
    assert response.headers["Location"] == "/"


def test_passwords_are_argon2id_hashes(org):
    assert org["admin"].password_hash.startswith("$argon2id$")


def test_change_password_checks_current_and_policy(client, org):
    login(client, "coord1")
    bad = post(client, "/account/password", {"current": "nope", "new": "a good new pass"})
    assert bad.status_code == 400
    short = post(client, "/account/password", {"current": TEST_PASSWORD, "new": "short"})
    assert short.status_code == 400
    common = post(client, "/account/password", {"current": TEST_PASSWORD, "new": "password1"})
    assert common.status_code == 400
    ok = post(client, "/account/password", {"current": TEST_PASSWORD, "new": "a good new pass"})
    assert ok.status_code == 302
    assert client.get("/").status_code == 200  # this session stays
    post(client, "/logout", token_from="/")
    assert login(client, "coord1", "a good new pass").status_code == 302


def test_disabled_account_cannot_log_in(app, client, org):
    with app.app_context():
        db.session.get(Account, org["coord2"].id).is_enabled = False
        db.session.commit()
    assert login(client, "coord2").status_code == 200
