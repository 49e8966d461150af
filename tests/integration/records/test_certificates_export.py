"""Certificates: the PDF read back (name, number, hours), numbers sequential per year,
bad periods refused with nothing saved, issue audited; the export's columns and rows,
ID numbers only when collected, formula injection guarded."""
from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

from openpyxl import load_workbook
from pypdf import PdfReader

from coordinator.extensions import db
from coordinator.models import AuditEntry, Certificate
from coordinator.services.attendance.certificates import local_today
from tests.support.records import MEMBER_NO, NAME, PHONE, SETTINGS, login_as
from tests.support.scheduling import NOW
from tests.support.web import post


def test_volunteer_prints_certificate(world_app):
    app, w = world_app
    client = login_as(app.test_client(), "person")
    got = post(client, f"/records/{w['me']}/certificate", {"period": "all"},
               token_from="/me/record")
    assert got.status_code == 302 and got.location.endswith(".pdf")
    pdf = client.get(got.location)
    assert pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    with app.app_context():
        cert = db.session.scalars(db.select(Certificate).order_by(Certificate.id.desc())).first()
        assert re.fullmatch(rf"{local_today(NOW, SETTINGS.zone).year}-\d{{6}}", cert.number)
        assert cert.total_minutes == 570 and cert.services == 5
        assert db.session.scalar(db.select(db.func.count()).select_from(AuditEntry).where(
            AuditEntry.action == "certificate.issue", AuditEntry.entity_id == cert.id)) == 1
        number = cert.number
    flat = re.sub(r"\s+", "", text)
    assert NAME in flat and MEMBER_NO in flat and number in flat and "9.5" in flat
    assert "志愿服务记录证明" in flat and "/verify/" in flat
    again = post(client, f"/records/{w['me']}/certificate", {"period": "all"},
                 token_from="/me/record")
    assert again.location == got.location  # same period, same figures: the same paper


def test_bad_periods_refused(world_app):
    app, w = world_app
    client = login_as(app.test_client(), "coordinator")
    with app.app_context():
        before = db.session.scalar(db.select(db.func.count()).select_from(Certificate))
    today = local_today(NOW, SETTINGS.zone)
    for start, end, message in [
            (today, today - timedelta(days=3), "结束日期早于开始日期"),
            (today, today + timedelta(days=3), "结束日期在今天之后"),
            ("", "", "请选择开始日期")]:
        got = post(client, f"/records/{w['me']}/certificate",
                   {"period": "range", "period_start": str(start), "period_end": str(end)},
                   token_from=f"/people/{w['me']}/record")
        assert got.status_code == 400
        assert message in got.get_data(as_text=True)
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Certificate)) == before


def _export(client, w, fmt, **kw):
    args = {"community": w["c1"], "period_start": "2000-01-01",
            "period_end": str(local_today(NOW, SETTINGS.zone)), "format": fmt, **kw}
    return client.get("/records/export", query_string=args)


def test_export_csv_and_xlsx(world_app):
    app, w = world_app
    client = login_as(app.test_client(), "coordinator")
    got = _export(client, w, "csv")
    assert got.status_code == 200 and got.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(got.data.decode("utf-8-sig"))))
    assert rows[0] == ["姓名", "手机号", "志愿者编号", "服务日期", "开始时间", "结束时间",
                       "服务时长(小时)", "活动名称", "服务类别", "组织名称", "记录方式"]
    mine = [r for r in rows[1:] if r[0] == NAME]
    assert len(mine) == 5  # services only: no no-show, leave, rehearsal or study day
    assert all(r[1] == PHONE and r[2] == "V310000" for r in mine)
    assert sorted(r[6] for r in mine) == ["1.5", "1.5", "2.0", "2.0", "2.5"]
    assert {r[10] for r in mine} == {"考勤记录", "已签到", "工作人员补录"}
    assert all(r[9] == "MK测试志愿服务队" for r in mine)
    assert not any(r[0] == "MK其他队员" for r in rows)  # another community's member
    x = _export(client, w, "xlsx")
    sheet = load_workbook(io.BytesIO(x.data)).active
    assert [c.value for c in next(sheet.iter_rows(max_row=1))][0] == "姓名"
    assert sheet.max_row == len(rows)
    app.config["COLLECT_ID_NUMBERS"] = True
    try:
        head = next(csv.reader(io.StringIO(_export(client, w, "csv").data.decode("utf-8-sig"))))
        assert "身份证号" in head
    finally:
        app.config["COLLECT_ID_NUMBERS"] = False
    bad = _export(client, w, "csv", period_end="2999-01-01")
    assert bad.status_code == 400 and "结束日期在今天之后" in bad.get_data(as_text=True)


def test_export_guards_formulas(world_app):
    app, w = world_app
    from coordinator.services.attendance.export import to_csv, to_xlsx
    body = to_csv(["a"], [["=HYPERLINK(1)"]]).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body
    sheet = load_workbook(io.BytesIO(to_xlsx(["a"], [["=1+1"]], "s"))).active
    assert sheet["A2"].data_type == "s" and sheet["A2"].value == "=1+1"
