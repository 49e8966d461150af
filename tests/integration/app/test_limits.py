"""What the app refuses to take in or to give out: oversized requests, and personal data
in the error log when the database refuses a write."""
from __future__ import annotations

import logging

from coordinator.extensions import db
from coordinator.http.access import public
from coordinator.models import Person

SECRET_EMAIL = "wang.xiuying.private@example.org"
SECRET_ADDRESS = "一连 3 栋 2 单元 501 室"
SECRET_NOTES = "每周二透析"


def test_a_database_error_is_logged_without_its_parameters(app, make, caplog):
    community = make.community()
    first = make.person(community, phone="13912345678")

    @app.route("/test-duplicate-person")
    @public
    def duplicate_person():
        # A real write the database refuses: the phone number is taken.
        db.session.add(Person(community_id=community.id, full_name=SECRET_NOTES,
                              phone=first.phone, email=SECRET_EMAIL, address=SECRET_ADDRESS))
        db.session.commit()
        return "saved"

    with caplog.at_level(logging.ERROR):
        response = app.test_client().get("/test-duplicate-person")
    assert response.status_code == 500
    assert "IntegrityError" in caplog.text
    assert "INSERT INTO people" in caplog.text  # the statement is kept: it says what failed
    for value in (SECRET_EMAIL, SECRET_ADDRESS, SECRET_NOTES, first.phone):
        assert value not in caplog.text
    with app.app_context():  # and nothing was written half-way
        assert db.session.scalar(db.select(db.func.count(Person.id))) == 1


def test_a_20_mb_login_post_is_refused_with_a_chinese_page(app, client):
    big = "x" * (20 * 1024 * 1024)
    response = client.post("/login", data={"identifier": "admin1", "password": big})
    assert response.status_code == 413
    assert "提交的内容太大了。" in response.get_data(as_text=True)
    assert response.mimetype == "text/html"


def test_a_20_mb_multipart_post_is_refused_before_it_is_read(app, client):
    import io
    data = {"identifier": "admin1", "file": (io.BytesIO(b"x" * (20 * 1024 * 1024)), "a.bin")}
    response = client.post("/login", data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    assert "提交的内容太大了。" in response.get_data(as_text=True)



def test_a_429_says_in_chinese_when_to_try_again(app, client):
    from werkzeug.exceptions import TooManyRequests

    @app.route("/test-too-many")
    @public
    def too_many():
        raise TooManyRequests(retry_after=600)

    response = client.get("/test-too-many")
    assert response.status_code == 429 and response.headers["Retry-After"] == "600"
    assert "尝试次数太多，请在 10 分钟后再试。" in response.get_data(as_text=True)
