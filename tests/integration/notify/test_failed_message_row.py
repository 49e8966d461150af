"""A message that really failed (the SMS gateway answers HTTP 500 on every try) reads, on
the admins' messages page, in words: what it was, for whom, on which channel, why it
failed, and never a template variable or an English developer error on a Chinese page."""
from __future__ import annotations

import re
from datetime import timedelta

from coordinator.extensions import db
from coordinator.jobs import tasks
from coordinator.models import Account, Delivery
from coordinator.services.people.accounts import hash_password
from tests.support.database import TEST_PASSWORD
from tests.support.notify import rows, shift, sign, start_of_shift
from tests.support.plan import text_of
from tests.support.web import login


def test_a_really_failed_message_reads_in_words(napp, world, clock, gateway):
    gateway.status = 500
    _, role = shift(napp, world)
    sign(napp, world, 1, role)
    clock.at = start_of_shift(clock) - timedelta(hours=23)
    for _attempt in range(5):
        tasks.sweep(napp)
        [row] = rows(napp, Delivery.channel == "sms")
        if row.next_attempt_at:
            clock.at = max(clock.at, row.next_attempt_at)
    assert row.status == "failed"
    with napp.app_context():
        db.session.get(Account, world["admin"]).password_hash = hash_password(TEST_PASSWORD)
        db.session.commit()
    client = napp.test_client()
    login(client, "admin")
    html = client.get("/admin/deliveries").get_data(as_text=True)
    failed = html.split('id="failed-h"', 1)[1].split("</section>", 1)[0]
    shown = text_of(re.sub(r"<details>.*?</details>", "", failed, flags=re.S))
    for words in ("提前一天的提醒", "队员1", "短信", "短信网关返回了错误。", "重新发送"):
        assert words in shown, words
    for developer in ("gateway", "HTTP", "reminder24", "sms", "%(", "{{", "}}"):
        assert developer not in shown, developer
    # The sender's own words stay at hand for whoever fixes the gateway, folded away.
    assert "<summary>技术细节</summary>" in failed and "gateway answered HTTP 500" in failed
