"""Demo step "series": patrols, rehearsals, study days, care visits and talks, with their
roles and the people the care visits go to."""
from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import time, timedelta

from ..domain.recurrence import WEEKDAY_CODES
from ..models import CareRecipient, CareVisitDetail, Series, SeriesRole
from . import data as D
from .common import Context, insert_ids, insert_rows
from .people import home_address, random_name
from .teams import Teams
from .venues import Venues

PATROL_WEEKS = 8          # "eight weeks of evening patrols per community"


@dataclass(frozen=True)
class SeriesMade:
    """The series of one copy, in insertion order."""

    ids: list[int]
    kinds: dict[int, str]      # series id -> kind
    with_slots: list[int]      # the ids whose people fill counted places


def insert_series(session, ctx: Context, rng: random.Random, community_ids: list[int],
                  community_names: list[str], teams: Teams, venues: Venues,
                  history_weeks: int = 0, care_through_services: int | None = None
                  ) -> SeriesMade:
    """Write the series, their roles, the care recipients and which visit goes to whom.
    With ``history_weeks`` the recurring series began that many weeks ago (the demo
    township's past, step ``history``); single events keep their dates. The care visits
    of community index ``care_through_services`` are left out: step ``care`` makes them
    through the services."""
    specs = _specs(ctx, rng, community_ids, community_names, teams, venues)
    if care_through_services is not None:
        own = community_ids[care_through_services]
        specs = [s for s in specs if not (s[0]["kind"] == "care"
                                          and s[0]["community_id"] == own)]
    if history_weeks:
        began = ctx.start_date - timedelta(weeks=history_weeks)
        for row, _roles, _rec in specs:
            if row["rrule"]:
                row["start_date"] = began
    ids = insert_ids(session, Series, [row for row, _r, _c in specs])
    insert_rows(session, SeriesRole, [
        dict(role, series_id=sid) for sid, (_row, roles, _c) in zip(ids, specs)
        for role in roles])
    cared = [(sid, rec) for sid, (_row, _roles, rec) in zip(ids, specs) if rec]
    recipient_ids = insert_ids(session, CareRecipient, [
        {"community_id": community_ids[rec["community"]], "full_name": rec["full_name"],
         "address": rec["address"], "ward": rec["ward"], "health_notes": rec["health_notes"],
         "place": "hospital" if rec["ward"] else "home",
         "institution": "团场医院" if rec["ward"] else None,
         "reason": "hospital" if rec["ward"] else "alone",
         "started_on": ctx.start_date - timedelta(weeks=4),
         "created_at": ctx.now, "updated_at": ctx.now} for _sid, rec in cared])
    insert_rows(session, CareVisitDetail, [
        {"series_id": sid, "occurrence_id": None, "recipient_id": rid}
        for (sid, _rec), rid in zip(cared, recipient_ids)])
    return SeriesMade(ids=ids, kinds={sid: row["kind"] for sid, (row, _r, _c) in zip(ids, specs)},
                      with_slots=[sid for sid, (row, _r, _c) in zip(ids, specs)
                                  if row["participation"] == "slots"])


def _specs(ctx: Context, rng: random.Random, community_ids, community_names,
           teams: Teams, venues: Venues) -> list[tuple[dict, list[dict], dict | None]]:
    """Return (series row, role rows, care recipient or None) in insertion order."""
    start = ctx.start_date
    specs: list[tuple[dict, list[dict], dict | None]] = []

    def add(row, roles=(), recipient=None):
        specs.append((_series_row(ctx, **row), list(roles), recipient))

    patrol_until = start + timedelta(weeks=PATROL_WEEKS, days=-1)  # 56 evenings
    for c in range(len(community_ids)):
        add(dict(kind="patrol", participation="slots", title="晚间义务巡逻",
                 description="佩戴红袖标巡查：治安、防盗、乱扔垃圾、乱涂乱画、可疑租住人员；"
                             "结束后填写巡逻记录。",
                 community_id=community_ids[c], team_id=teams.patrol[c],
                 venue_id=venues.patrol_route[c], start_date=start, start_time=time(19, 30),
                 minutes=120, rrule="FREQ=DAILY", until=patrol_until),
            [_role("巡逻组长", 1, 1, teams.patrol[c], True),
             _role("巡逻队员", 2, 3, teams.patrol[c], False)])
    for (tname, _tk, skind, vkey, byday, at, minutes, _n), tid in zip(D.TROUPES,
                                                                      teams.troupes):
        add(dict(kind=skind, participation="team",
                 title=f"{tname}{'排练' if skind == 'rehearsal' else '上课'}",
                 description=None, community_id=None, team_id=tid,
                 venue_id=venues.by_key[vkey], start_date=start, start_time=at,
                 minutes=minutes, rrule=f"FREQ=WEEKLY;BYDAY={byday}", is_public=True))
    for c in range(len(community_ids)):
        add(dict(kind="meeting", participation="team", title="集体学习日",
                 description="每月25日集体学习；活动室被占用时改到休息日。",
                 community_id=community_ids[c], team_id=teams.branch[c],
                 venue_id=venues.community_room[c], start_date=start,
                 start_time=time(9, 0), minutes=180, rrule="FREQ=MONTHLY;BYMONTHDAY=25"))
    for c, cname in enumerate(community_names):
        visit_role = [_role("探望人员", 2, 2, teams.care[c], False)]
        for n in range(3):  # weekly visits to elderly people living alone
            add(dict(kind="care", participation="slots", title="探望慰问",
                     description="送米面油，帮助打扫卫生。", community_id=community_ids[c],
                     team_id=teams.care[c], venue_id=None, start_date=start,
                     start_time=rng.choice((time(9, 30), time(15, 30))), minutes=90,
                     rrule=f"FREQ=WEEKLY;BYDAY={WEEKDAY_CODES[(2 * n + c) % 6]}"),
                visit_role,
                {"community": c, "full_name": random_name(rng), "ward": None,
                 "address": home_address(rng, cname),
                 "health_notes": rng.choice(D.ALONE_NOTES)})
        for _ in range(2):  # single visits to members in hospital
            add(dict(kind="care", participation="slots", title="探望慰问",
                     description="医院探望。", community_id=community_ids[c],
                     team_id=teams.care[c], venue_id=venues.by_key["hospital"],
                     start_date=start + timedelta(days=rng.randint(1, 12)),
                     start_time=time(15, 0), minutes=60, rrule=None),
                visit_role,
                {"community": c, "full_name": random_name(rng),
                 "ward": f"团场医院 {rng.choice(D.WARDS)} {rng.randint(1, 40)} 床",
                 "address": home_address(rng, cname),
                 "health_notes": rng.choice(D.HOSPITAL_NOTES)})
    talk_roles = [_role("主讲人", 1, 2, teams.speakers, False),
                  _role("联络员", 1, 1, None, False)]
    for title, vkey, offset, at, rule in (
            ("青少年教育报告会", "school1", 0, time(15, 30), "FREQ=MONTHLY;BYMONTHDAY=15"),
            ("红色传统进校园报告会", "school2", 3, time(10, 0), None),
            ("新党员座谈会", "hall", 9, time(9, 30), None),   # a Wednesday: the hall is free
            ("团史报告会", "school3", 16, time(10, 0), None)):
        add(dict(kind="talk", participation="slots", title=title,
                 description="老同志讲述屯垦戍边的创业历史；需安排接送车辆。",
                 community_id=None, team_id=teams.speakers, venue_id=venues.by_key[vkey],
                 start_date=start + timedelta(days=offset), start_time=at, minutes=90,
                 rrule=rule, is_public=True),
            talk_roles)
    return specs


def _series_row(ctx: Context, *, kind, participation, title, description, community_id,
                team_id, venue_id, start_date, start_time, minutes, rrule, until=None,
                is_public=False) -> dict:
    return {"kind": kind, "participation": participation, "title": title,
            "description": description, "community_id": community_id, "team_id": team_id,
            "venue_id": venue_id, "timezone": ctx.zone_name, "start_date": start_date,
            "start_time": start_time, "duration_minutes": minutes, "rrule": rrule,
            "until": until, "materialized_until": None, "signup_opens_days": None,
            "withdraw_cutoff_hours": 12, "requires_swap_approval": False,
            "is_public": is_public, "parent_id": None, "created_by_id": None,
            "created_at": ctx.now, "updated_at": ctx.now}


def _role(name: str, needed: int, maximum: int, team_id: int | None, is_lead: bool) -> dict:
    return {"name": name, "needed": needed, "maximum": maximum, "required_team_id": team_id,
            "is_lead": is_lead}
