"""Real receivers shared by every integration capability: an SMTP server (aiosmtpd) and
an SMS gateway (HTTP), one of each per test."""
from __future__ import annotations

import pytest

from tests.support.notify import KEY, SmsGateway, SmtpSink


@pytest.fixture
def sink():
    with SmtpSink() as server:
        yield server


@pytest.fixture
def gateway():
    with SmsGateway(key=KEY) as server:
        yield server
