"""The pages of messages: in-app notifications (unread count in the menu, marking read
with CSRF), notification settings, and the admins' delivery page."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from coordinator.extensions import db
from coordinator.models import Account, Delivery, Notification
from tests.support.web import csrf_token, login, post


def _notify(app, account_id, title="提醒：晚间巡逻，11月28日 周六 19:30", read=False):
    with app.app_context():
        row = Notification(account_id=account_id, kind="reminder24", title=title,
                           body="时间：11月28日 周六 19:30–21:30", url_path="/shifts/mine",
                           read_at=datetime.now(timezone.utc) if read else None)
        db.session.add(row)
        db.session.commit()
        return row.id


def test_unread_count_on_every_page_and_mark_read_with_csrf(client, app, org):
    mine = _notify(app, org["vol1"].id)
    _notify(app, org["vol1"].id, title="旧消息", read=True)
    theirs = _notify(app, org["vol2"].id, title="别人的消息")
    login(client, org["v1"].phone)
    for path in ("/", "/shifts/mine", "/calendar"):
        assert "1 条未读" in client.get(path).get_data(as_text=True), path
    page = client.get("/notifications").get_data(as_text=True)
    assert "提醒：晚间巡逻" in page and "旧消息" in page and "别人的消息" not in page
    assert client.post(f"/notifications/{mine}/read").status_code == 400  # no CSRF token
    assert "1 条未读" in client.get("/").get_data(as_text=True)
    # Someone else's notification cannot be marked through this account.
    post(client, f"/notifications/{theirs}/read", token_from="/notifications")
    with app.app_context():
        assert db.session.get(Notification, theirs).read_at is None
    response = post(client, f"/notifications/{mine}/read", token_from="/notifications")
    assert response.status_code == 302
    assert "条未读" not in client.get("/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Notification, mine).read_at is not None


def test_mark_all_read_and_english(client, app, org):
    for i in range(3):
        _notify(app, org["vol1"].id, title=f"消息{i}")
    login(client, org["v1"].phone)
    post(client, "/preferences", {"locale": "en", "next": "/"}, token_from="/")
    assert "3 unread" in client.get("/").get_data(as_text=True)
    post(client, "/notifications/read-all", token_from="/notifications")
    assert "unread" not in client.get("/").get_data(as_text=True)


def _ticked(page: str, name: str) -> bool:
    tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page)
    assert tag, name
    return "checked" in tag.group(0)


def test_notification_settings_choose_channels_and_reminders(client, app, org):
    login(client, org["v1"].phone)  # has an e-mail address
    page = client.get("/account/notifications").get_data(as_text=True)
    assert _ticked(page, "email") and not _ticked(page, "sms")
    response = post(client, "/account/notifications", {"sms": "y", "remind_24h": "y"})
    assert response.status_code == 302
    with app.app_context():
        account = db.session.get(Account, org["vol1"].id)
        assert (account.notify_email, account.notify_sms, account.remind_24h,
                account.remind_2h) == (False, True, True, False)
    assert client.post("/account/notifications", data={"sms": "y"}).status_code == 400
    client2 = app.test_client()
    login(client2, org["v2"].phone)  # no e-mail address: told so, SMS ticked by default
    page = client2.get("/account/notifications").get_data(as_text=True)
    assert "我们没有您的电子邮箱" in page
    assert _ticked(page, "sms") and _ticked(page, "remind_2h")


def test_a_channel_without_an_address_is_never_shown_as_chosen(client, app, org):
    """The page said "no e-mail address" next to a ticked 电子邮件 box: a channel with no
    address is shown unticked and cannot be chosen; saving keeps what was stored, so
    adding the address later brings back the person's own choice."""
    login(client, org["v2"].phone)  # no e-mail address
    page = client.get("/account/notifications").get_data(as_text=True)
    tag = re.search(r'<input[^>]*name="email"[^>]*>', page).group(0)
    assert "checked" not in tag and "disabled" in tag, tag
    assert "不会发电子邮件" in page
    response = post(client, "/account/notifications", {"email": "y", "sms": "y",
                                                        "remind_2h": "y"})
    assert response.status_code == 302
    with app.app_context():
        account = db.session.get(Account, org["vol2"].id)
        assert account.notify_email is None and account.notify_sms is True
        account.person.email = "later@example.org"
        db.session.commit()
    page = client.get("/account/notifications").get_data(as_text=True)
    assert _ticked(page, "email")  # the default comes back with the address


def test_admin_sees_failed_messages_and_channel_settings_without_secrets(client, app, org):
    app.config.update(SMS_URL="https://sms.example.org/send?token=s3cret-in-url",
                      SMS_KEY="s3cret-key")
    with app.app_context():
        row = Delivery(kind="reminder24", dedup_key="k1", channel="sms", status="failed",
                       attempts=5, last_error="gateway answered HTTP 500", payload={})
        db.session.add(row)
        db.session.commit()
        delivery_id = row.id
    login(client, org["v1"].phone)
    assert client.get("/admin/deliveries").status_code == 403
    client.post("/logout", data={"csrf_token": csrf_token(client, "/")})
    login(client, "admin1")
    page = client.get("/admin/deliveries").get_data(as_text=True)
    assert "gateway answered HTTP 500" in page and "重新发送" in page
    assert "未设置" in page  # no MAIL_SERVER in the tests: e-mail is not configured
    assert "s3cret" not in page
    assert "调度程序" in page or "定时任务" in page  # has not run yet
    post(client, f"/admin/deliveries/{delivery_id}/retry", token_from="/admin/deliveries")
    with app.app_context():
        row = db.session.get(Delivery, delivery_id)
        assert (row.status, row.attempts) == ("pending", 0)
