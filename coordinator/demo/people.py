"""The demo loader: one township (9 communities, 606 retired members) built N times.

Everything is deterministic (``random.Random`` seeded per copy) and written with bulk
core inserts, so that ``--scale 170`` (about 103,000 people and 86,000 patrol
occurrences) loads in minutes on SQLite. Occurrences are expanded by
``services.schedule.horizon.materialize``; this module only adds the series and then fills
a realistic share of the slots of the first two weeks. Like every service it flushes
and never commits.
"""
from __future__ import annotations

import random
import secrets
from collections import defaultdict
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import func, insert, select, update

from ..domain.errors import DomainError
from ..domain.recurrence import WEEKDAY_CODES, get_zone
from ..models import (
    Account,
    AppSetting,
    Assignment,
    CareRecipient,
    CareVisitDetail,
    Community,
    CoordinatorScope,
    Occurrence,
    OccurrenceRole,
    Person,
    Series,
    SeriesRole,
    Team,
    TeamMember,
    Venue,
)
from ..services.schedule.horizon import materialize
from . import data as D

SEED = 25                 # the study day: any fixed value keeps the demo reproducible
PATROL_WEEKS = 8          # "eight weeks of evening patrols per community"
FILL_WEEKS = 2            # slots are filled for the first two weeks only
DEFAULT_WEEKLY_CAP = 4    # shifts a week given to anyone without max_shifts_per_week
PHONE_PREFIXES = ("139", "138", "137", "136", "135", "159", "158", "150", "151", "152",
                  "187", "188", "133", "153", "180", "189", "130", "131", "132", "155",
                  "156", "186", "177", "199")
DEMO_USERNAMES = ("admin", "leader", "coordinator", "volunteer")


def has_data(session) -> bool:
    """Return True when any community exists (the demo is then not loaded)."""
    return session.scalar(select(Community.id).limit(1)) is not None


def seed_demo(session, *, scale: int = 1, now: datetime, password_hash: str,
              horizon_weeks: int = 12, timezone_name: str = "Asia/Shanghai") -> dict[str, int]:
    """Load the demo township ``scale`` times; return counts of what was created.

    Copy 1 is the township itself (codes C01..C09); copy k > 1 gets names suffixed
    "（第k片区）" and codes C01-k... . The demo logins (admin, leader, coordinator,
    volunteer) are made once; every other member with a phone gets a volunteer login
    by phone number. All logins share ``password_hash``.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be an aware datetime")
    if scale < 1:
        raise DomainError("The scale must be at least 1.", field="scale")
    if has_data(session):
        raise DomainError("Data is present: the demo can only be loaded into an empty "
                          "database.")
    _check_room_plan()
    zone = get_zone(timezone_name)
    local_today = now.astimezone(zone).date()
    ctx = _Context(
        now=now.astimezone(timezone.utc), zone=zone, zone_name=timezone_name,
        start_date=local_today - timedelta(days=local_today.weekday()),
        horizon_end=now + timedelta(weeks=horizon_weeks), password_hash=password_hash,
        taken_usernames={u.lower() for u in session.scalars(
            select(Account.username).where(func.lower(Account.username).in_(DEMO_USERNAMES)))
            if u})
    counts = dict.fromkeys(("communities", "people", "accounts", "teams", "venues", "series",
                            "occurrences", "assignments"), 0)
    for copy in range(1, scale + 1):
        for key, value in _build_copy(session, ctx, copy).items():
            counts[key] += value
    session.merge(AppSetting(key="demo_loaded", value="1"))
    session.flush()
    return counts


class _Context:
    """What all copies share: the clock, the zone, the phone counter."""

    def __init__(self, *, now, zone, zone_name, start_date, horizon_end, password_hash,
                 taken_usernames):
        self.now = now
        self.zone = zone
        self.zone_name = zone_name
        self.start_date: date = start_date
        self.horizon_end = horizon_end
        self.password_hash = password_hash
        self.taken_usernames = taken_usernames
        self.phone_counter = 0
        self.person_counter = 0

    def next_phone(self) -> str:
        """Return an 11-digit mobile-like number, unique over the whole load.

        The counter gives a scrambled 8-digit tail (61803399 is coprime with 10**8, so
        the tail alone never repeats below 10**8 numbers) and picks a prefix.
        """
        i = self.phone_counter
        self.phone_counter += 1
        tail = (i * 61_803_399 + 4_620_025) % 100_000_000
        prefix = PHONE_PREFIXES[(i * 7 + tail) % len(PHONE_PREFIXES)]
        return f"{prefix}{tail:08d}"

    def local_utc(self, day: date, at: time) -> datetime:
        return datetime.combine(day, at).replace(tzinfo=self.zone).astimezone(timezone.utc)


# -- one township copy -----------------------------------------------------------------

def _build_copy(session, ctx: _Context, copy: int) -> dict[str, int]:
    rng = random.Random(f"demo-{SEED}-{copy}")
    suffix = "" if copy == 1 else f"（第{copy}片区）"
    code_suffix = "" if copy == 1 else f"-{copy}"
    now = ctx.now

    community_names = [name + suffix for name, _code in D.COMMUNITIES]
    community_ids = _insert_ids(session, Community, [
        {"name": name, "code": code + code_suffix, "is_public_feed": False}
        for name, (_n, code) in zip(community_names, D.COMMUNITIES)])

    people = _make_people(ctx, rng, community_names)
    plan = _plan_teams(rng, people, len(community_ids))
    for committee in plan.committees:
        for n, i in enumerate(committee):
            title = "支部书记" if n == 0 else "支部委员"
            people.notes[i] = f"{title}；{people.notes[i]}" if people.notes[i] else title
    first_copy = copy == 1
    if first_copy:
        # The demo volunteer must be able to log in and have a future shift.
        vol = plan.demo_volunteer
        if people.phone[vol] is None:
            people.phone[vol] = ctx.next_phone()
        people.max_shifts[vol] = None
    person_rows = [
        {"full_name": people.name[i], "phone": people.phone[i], "email": people.email[i],
         "community_id": community_ids[people.community[i]], "address": people.address[i],
         "languages": None, "birth_year": people.birth_year[i], "status": people.status[i],
         "away_from": people.away_from[i], "away_until": people.away_until[i],
         "max_shifts_per_week": people.max_shifts[i], "notes": people.notes[i],
         "created_at": now}
        for i in range(len(people.name))]
    pid = _insert_ids(session, Person, person_rows)

    # Teams: per community patrol / care / branch, then the township-wide ones.
    team_rows, team_members = [], []  # team_members[j] = [(person index, is_lead)]
    for c, cname in enumerate(community_names):
        cid = community_ids[c]
        team_rows += [{"name": f"{cname}义务巡逻队", "kind": "patrol", "community_id": cid},
                      {"name": f"{cname}探望慰问小组", "kind": "care", "community_id": cid},
                      {"name": f"{cname}离退休支部", "kind": "branch", "community_id": cid}]
        team_members += [plan.patrol[c], plan.care[c], plan.branch[c]]
    for (tname, tkind, *_rest), members in zip(D.TROUPES, plan.troupes):
        team_rows.append({"name": tname + suffix, "kind": tkind, "community_id": None})
        team_members.append(members)
    team_rows.append({"name": "老干部报告团" + suffix, "kind": "speakers", "community_id": None})
    team_members.append(plan.speakers)
    team_ids = _insert_ids(session, Team, team_rows)
    _insert(session, TeamMember, [
        {"team_id": tid, "person_id": pid[i], "is_lead": lead}
        for tid, members in zip(team_ids, team_members) for i, lead in members])
    patrol_team = [team_ids[3 * c] for c in range(len(community_ids))]
    care_team = [team_ids[3 * c + 1] for c in range(len(community_ids))]
    branch_team = [team_ids[3 * c + 2] for c in range(len(community_ids))]
    troupe_team = team_ids[3 * len(community_ids):-1]
    speakers_team = team_ids[-1]

    # Venues.
    venue_rows = [{"name": name + suffix, "kind": kind, "community_id": None,
                   "capacity": cap, "address": D.CENTRE_ADDRESS}
                  for _key, name, kind, cap in D.CENTRE_ROOMS]
    venue_rows += [{"name": name + suffix, "kind": "outside", "community_id": None,
                    "capacity": None, "address": addr}
                   for _key, name, addr in D.SCHOOLS + (D.HOSPITAL,)]
    for c, cname in enumerate(community_names):
        stops = rng.sample(D.PATROL_ROUTE_STOPS, 5)
        venue_rows += [
            {"name": f"{cname}活动室", "kind": "room", "community_id": community_ids[c],
             "capacity": rng.choice((40, 50, 60, 80)), "address": f"{cname}综合服务楼一层"},
            {"name": f"{cname}巡逻路线", "kind": "outside", "community_id": community_ids[c],
             "capacity": None, "address": "—".join(stops)}]
    venue_ids = _insert_ids(session, Venue, venue_rows)
    fixed = len(D.CENTRE_ROOMS) + len(D.SCHOOLS) + 1
    venue = {key: vid for (key, *_r), vid in zip(D.CENTRE_ROOMS + D.SCHOOLS + (D.HOSPITAL,),
                                                 venue_ids)}
    community_room = [venue_ids[fixed + 2 * c] for c in range(len(community_ids))]
    patrol_route = [venue_ids[fixed + 2 * c + 1] for c in range(len(community_ids))]

    # Series: rows, their roles, and the care recipients.
    start = ctx.start_date
    specs: list[tuple[dict, list[dict], dict | None]] = []

    def add(row, roles=(), recipient=None):
        specs.append((_series_row(ctx, **row), list(roles), recipient))

    patrol_until = start + timedelta(weeks=PATROL_WEEKS, days=-1)  # 56 evenings
    for c in range(len(community_ids)):
        add(dict(kind="patrol", participation="slots", title="晚间义务巡逻",
                 description="佩戴红袖标巡查：治安、防盗、乱扔垃圾、乱涂乱画、可疑租住人员；"
                             "结束后填写巡逻记录。",
                 community_id=community_ids[c], team_id=patrol_team[c],
                 venue_id=patrol_route[c], start_date=start, start_time=time(19, 30),
                 minutes=120, rrule="FREQ=DAILY", until=patrol_until),
            [_role("巡逻组长", 1, 1, patrol_team[c], True),
             _role("巡逻队员", 2, 3, patrol_team[c], False)])
    for (tname, _tk, skind, vkey, byday, at, minutes, _n), tid in zip(D.TROUPES, troupe_team):
        add(dict(kind=skind, participation="team",
                 title=f"{tname}{'排练' if skind == 'rehearsal' else '上课'}",
                 description=None, community_id=None, team_id=tid, venue_id=venue[vkey],
                 start_date=start, start_time=at, minutes=minutes,
                 rrule=f"FREQ=WEEKLY;BYDAY={byday}", is_public=True))
    for c in range(len(community_ids)):
        add(dict(kind="meeting", participation="team", title="集体学习日",
                 description="每月25日集体学习；活动室被占用时改到休息日。",
                 community_id=community_ids[c], team_id=branch_team[c],
                 venue_id=community_room[c], start_date=start, start_time=time(9, 0),
                 minutes=180, rrule="FREQ=MONTHLY;BYMONTHDAY=25"))
    for c, cname in enumerate(community_names):
        visit_role = [_role("探望人员", 2, 2, care_team[c], False)]
        for n in range(3):  # weekly visits to elderly people living alone
            add(dict(kind="care", participation="slots", title="探望慰问",
                     description="送米面油，帮助打扫卫生。", community_id=community_ids[c],
                     team_id=care_team[c], venue_id=None, start_date=start,
                     start_time=rng.choice((time(9, 30), time(15, 30))), minutes=90,
                     rrule=f"FREQ=WEEKLY;BYDAY={WEEKDAY_CODES[(2 * n + c) % 6]}"),
                visit_role,
                {"community": c, "full_name": _name(rng), "ward": None,
                 "address": _home_address(rng, cname),
                 "health_notes": rng.choice(D.ALONE_NOTES)})
        for _ in range(2):  # single visits to members in hospital
            add(dict(kind="care", participation="slots", title="探望慰问",
                     description="医院探望。", community_id=community_ids[c],
                     team_id=care_team[c], venue_id=venue["hospital"],
                     start_date=start + timedelta(days=rng.randint(1, 12)),
                     start_time=time(15, 0), minutes=60, rrule=None),
                visit_role,
                {"community": c, "full_name": _name(rng),
                 "ward": f"团场医院 {rng.choice(D.WARDS)} {rng.randint(1, 40)} 床",
                 "address": _home_address(rng, cname),
                 "health_notes": rng.choice(D.HOSPITAL_NOTES)})
    talk_roles = [_role("主讲人", 1, 2, speakers_team, False), _role("联络员", 1, 1, None, False)]
    for title, vkey, offset, at, rule in (
            ("青少年教育报告会", "school1", 0, time(15, 30), "FREQ=MONTHLY;BYMONTHDAY=15"),
            ("红色传统进校园报告会", "school2", 3, time(10, 0), None),
            ("新党员座谈会", "hall", 9, time(9, 30), None),   # a Wednesday: the hall is free
            ("团史报告会", "school3", 16, time(10, 0), None)):
        add(dict(kind="talk", participation="slots", title=title,
                 description="老同志讲述屯垦戍边的创业历史；需安排接送车辆。",
                 community_id=None, team_id=speakers_team, venue_id=venue[vkey],
                 start_date=start + timedelta(days=offset), start_time=at, minutes=90,
                 rrule=rule, is_public=True),
            talk_roles)

    series_ids = _insert_ids(session, Series, [row for row, _r, _c in specs])
    _insert(session, SeriesRole, [
        dict(role, series_id=sid) for sid, (_row, roles, _c) in zip(series_ids, specs)
        for role in roles])
    cared = [(sid, rec) for sid, (_row, _roles, rec) in zip(series_ids, specs) if rec]
    recipient_ids = _insert_ids(session, CareRecipient, [
        {"community_id": community_ids[rec["community"]], "full_name": rec["full_name"],
         "address": rec["address"], "ward": rec["ward"], "health_notes": rec["health_notes"],
         "created_at": now} for _sid, rec in cared])
    _insert(session, CareVisitDetail, [
        {"series_id": sid, "occurrence_id": None, "recipient_id": rid}
        for (sid, _rec), rid in zip(cared, recipient_ids)])
    session.flush()
    occurrences = materialize(session, series_ids, ctx.horizon_end, now)

    # Fill slots of the first weeks.
    active = [s == "active" for s in people.status]
    pools: dict[tuple[int | None, bool], list[int]] = {}
    for tid, members in zip(team_ids, team_members):
        pools[(tid, False)] = [pid[i] for i, _lead in members if active[i]]
        pools[(tid, True)] = [pid[i] for i, lead in members if lead and active[i]]
    # Liaison (no required team): the branch committees of the copy arrange transport.
    pools[(None, False)] = [pid[i] for c in range(len(community_ids))
                            for i, lead in plan.branch[c] if lead and active[i]]
    caps = {pid[i]: (people.max_shifts[i] or DEFAULT_WEEKLY_CAP) for i in range(len(pid))}
    kind_of = {sid: row["kind"] for sid, (row, _r, _c) in zip(series_ids, specs)}
    slot_series = [sid for sid, (row, _r, _c) in zip(series_ids, specs)
                   if row["participation"] == "slots"]
    forced: dict[int, list[int]] = {}
    volunteer_pid = coordinator_pid = None
    if first_copy:
        volunteer_pid = pid[plan.demo_volunteer]
        coordinator_pid = pid[plan.branch[0][0][0]]
        forced = _volunteer_shift(session, series_ids[0], patrol_team[0], now, volunteer_pid)
    assignments = _fill(session, ctx, rng, slot_series, kind_of, pools, caps, forced)

    # Logins.
    account_rows, demo_persons = [], set()
    if first_copy:
        for username, role, person in (("admin", "admin", None), ("leader", "leader", None),
                                       ("coordinator", "coordinator", coordinator_pid),
                                       ("volunteer", "volunteer", volunteer_pid)):
            if username in ctx.taken_usernames:
                continue  # an administrator made this login already: leave it alone
            account_ids = _insert_ids(session, Account, [_account_row(ctx, role, username,
                                                                      person)])
            if role == "coordinator":
                _insert(session, CoordinatorScope, [
                    {"account_id": account_ids[0], "community_id": community_ids[0]}])
            account_rows.append(username)
            demo_persons.add(person)
    phone_rows = [_account_row(ctx, "volunteer", None, pid[i]) for i in range(len(pid))
                  if people.phone[i] is not None and pid[i] not in demo_persons]
    _insert(session, Account, phone_rows)
    session.flush()
    return {"communities": len(community_ids), "people": len(pid),
            "accounts": len(account_rows) + len(phone_rows), "teams": len(team_ids),
            "venues": len(venue_ids), "series": len(series_ids), "occurrences": occurrences,
            "assignments": assignments}


# -- people and teams ------------------------------------------------------------------

class _People:
    """Column lists of the members of one copy, indexed 0..605."""

    def __init__(self):
        self.name, self.phone, self.email, self.community = [], [], [], []
        self.address, self.birth_year, self.status = [], [], []
        self.away_from, self.away_until, self.max_shifts, self.notes = [], [], [], []


def _name(rng: random.Random) -> str:
    given = D.GIVEN_MALE if rng.random() < 0.5 else D.GIVEN_FEMALE
    return rng.choice(D.SURNAMES) + rng.choice(given)


def _home_address(rng: random.Random, cname: str) -> str:
    return (f"{cname}{rng.randint(1, 24)}栋{rng.randint(1, 4)}单元"
            f"{rng.randint(1, 6)}0{rng.randint(1, 4)}室")


def _make_people(ctx: _Context, rng: random.Random, community_names: list[str]) -> _People:
    n_comm = len(community_names)
    total = D.PEOPLE_PER_COPY
    away = set(rng.sample(range(total), D.AWAY_PER_COPY))
    temporarily_away = set(rng.sample(sorted(away), D.AWAY_PER_COPY // 3))
    honoured = set(rng.sample([i for i in range(total) if i not in away], len(D.HONOURS)))
    honours = iter(D.HONOURS)
    p = _People()
    start = ctx.start_date
    index = 0
    for c, cname in enumerate(community_names):
        size = total // n_comm + (1 if c < total % n_comm else 0)
        seen: set[str] = set()
        for _ in range(size):
            name = _name(rng)
            for _retry in range(8):  # the same name twice in one branch confuses people
                if name not in seen:
                    break
                name = _name(rng)
            seen.add(name)
            ctx.person_counter += 1
            p.name.append(name)
            p.community.append(c)
            p.birth_year.append(rng.randint(1940, 1966))
            p.phone.append(ctx.next_phone() if rng.random() < 0.97 else None)
            p.email.append(f"member{ctx.person_counter:06d}@example.com"
                           if rng.random() < 0.08 else None)
            p.max_shifts.append(rng.choice((1, 2, 2, 3)) if rng.random() < 0.2 else None)
            note = next(honours) if index in honoured else None
            if index in temporarily_away:
                p.status.append("away")
                p.away_from.append(start - timedelta(days=rng.randint(5, 60)))
                p.away_until.append(start + timedelta(days=rng.randint(10, 120)))
                p.address.append(_home_address(rng, cname))
                note = rng.choice(D.AWAY_REASONS)
            elif index in away:
                unit = rng.choice(D.FIELD_UNITS)
                p.status.append("away")
                p.away_from.append(None)
                p.away_until.append(None)
                p.address.append(f"{unit}{rng.randint(1, 60)}号")
                note = f"常住{unit}"
            else:
                p.status.append("active")
                p.away_from.append(None)
                p.away_until.append(None)
                p.address.append(_home_address(rng, cname))
            p.notes.append(note)
            index += 1
    # A few members who stopped taking part (the participation report finds them).
    for c in range(n_comm):
        members = [i for i in range(total) if p.community[i] == c and p.status[i] == "active"
                   and i not in honoured]
        for i in rng.sample(members, D.INACTIVE_PER_COMMUNITY):
            p.status[i] = "inactive"
    return p


class _TeamPlan:
    """Team members as (person index, is_lead) lists."""

    def __init__(self):
        self.patrol: list[list[tuple[int, bool]]] = []
        self.care: list[list[tuple[int, bool]]] = []
        self.branch: list[list[tuple[int, bool]]] = []
        self.troupes: list[list[tuple[int, bool]]] = []
        self.speakers: list[tuple[int, bool]] = []
        self.committees: list[list[int]] = []  # [secretary, member, member] per branch
        self.demo_volunteer = -1


def _plan_teams(rng: random.Random, people: _People, n_comm: int) -> _TeamPlan:
    plan = _TeamPlan()
    by_comm: list[list[int]] = [[] for _ in range(n_comm)]
    for i, c in enumerate(people.community):
        by_comm[c].append(i)
    for c in range(n_comm):
        members = by_comm[c]
        active = [i for i in members if people.status[i] == "active"]
        reachable = [i for i in active if people.phone[i] is not None]
        # Branch secretary first, then two committee members: the branch leads.
        committee = rng.sample(reachable, 3)
        plan.committees.append(committee)
        plan.branch.append([(i, i in committee) for i in [committee[0]] + [
            j for j in members if j != committee[0]]])
        fit = [i for i in active if people.birth_year[i] >= 1948 and i not in committee]
        patrol = rng.sample(fit, min(len(fit), rng.randint(12, 15)))
        plan.patrol.append([(i, n < 2) for n, i in enumerate(patrol)])
        others = [i for i in active if i not in committee]
        care = committee + rng.sample(others, 5)
        plan.care.append([(i, n == 0) for n, i in enumerate(care)])
        if c == 0:
            plan.demo_volunteer = patrol[2]  # a patrol member who is not a lead
    # Township-wide troupes: each person in one, some in a second that never clashes.
    active_all = [i for i in range(len(people.name)) if people.status[i] == "active"]
    rng.shuffle(active_all)
    pos = 0
    compatible = _compatible_troupes()
    for troupe in D.TROUPES:
        size = troupe[7]
        chosen = active_all[pos:pos + size]
        pos += size
        plan.troupes.append([(i, n < (2 if size >= 20 else 1)) for n, i in enumerate(chosen)])
    in_troupe = {i: t for t, members in enumerate(plan.troupes) for i, _l in members}
    for i in rng.sample(sorted(in_troupe), len(in_troupe) // 10):
        t = in_troupe[i]
        choices = [u for u in compatible[t] if u != t]
        if choices:
            plan.troupes[rng.choice(choices)].append((i, False))
    veterans = [i for i in range(len(people.name)) if people.status[i] == "active"
                and people.birth_year[i] <= 1952]
    plan.speakers = [(i, n == 0) for n, i in enumerate(rng.sample(veterans, 12))]
    return plan


def _weekly_windows(byday: str, at: time, minutes: int):
    begin = at.hour * 60 + at.minute
    return [(WEEKDAY_CODES.index(d), begin, begin + minutes) for d in byday.split(",")]


def _clash(a, b) -> bool:
    return any(da == db and sa < eb and sb < ea for da, sa, ea in a for db, sb, eb in b)


def _check_room_plan() -> None:
    """Refuse a rehearsal plan that puts two groups into one room at once."""
    windows = [(t[3], _weekly_windows(t[4], t[5], t[6])) for t in D.TROUPES]
    for n, (room_a, win_a) in enumerate(windows):
        for room_b, win_b in windows[n + 1:]:
            if room_a == room_b and _clash(win_a, win_b):
                raise AssertionError(f"demo rehearsal plan double-books {room_a}")


def _compatible_troupes() -> list[list[int]]:
    windows = [_weekly_windows(t[4], t[5], t[6]) for t in D.TROUPES]
    return [[u for u in range(len(windows)) if not _clash(windows[t], windows[u])]
            for t in range(len(windows))]


# -- rows ------------------------------------------------------------------------------

def _series_row(ctx: _Context, *, kind, participation, title, description, community_id,
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


def _account_row(ctx: _Context, role: str, username: str | None, person_id: int | None):
    return {"username": username, "person_id": person_id, "password_hash": ctx.password_hash,
            "role": role, "is_enabled": True, "session_token": secrets.token_urlsafe(32),
            "locale": None, "text_size": "standard", "created_at": ctx.now,
            "last_login_at": None}


def _insert_ids(session, model, rows: list[dict]) -> list[int]:
    """Bulk insert ``rows`` and return their new ids in the same order.

    Core, not the ORM bulk path: the ORM groups rows by which values are None and
    then sends one INSERT per row. Chunked because SQLite cannot order RETURNING in
    a batch, so SQLAlchemy goes row by row there and splices results as it goes.
    """
    table = model.__table__
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    connection = session.connection()
    ids: list[int] = []
    for begin in range(0, len(rows), 200):
        ids.extend(connection.execute(statement, rows[begin:begin + 200]).scalars())
    return ids


def _insert(session, model, rows: list[dict]) -> None:
    """Bulk insert ``rows`` (every column given) as one executemany."""
    if rows:
        session.connection().execute(insert(model.__table__), rows)


# -- assignments -----------------------------------------------------------------------

# How many people a slot gets, by (series kind, role is lead / role name): weights of
# 0, 1, 2, 3 people. Patrols end up about 70 % covered, so the weekly plan shows gaps.
_FILL_WEIGHTS = {
    ("patrol", True): (25, 75),
    ("patrol", False): (7, 23, 50, 20),
    ("care", False): (10, 30, 60),
    ("talk", True): (30, 70),        # the liaison (one person)
    ("talk", False): (20, 50, 30),   # speakers
}


def _volunteer_shift(session, patrol_series_id: int, patrol_team_id: int, now: datetime,
                     person_id: int) -> dict[int, list[int]]:
    """Pick the demo volunteer's first future patrol (as a team member, not the lead)."""
    role_id = session.scalar(
        select(OccurrenceRole.id).join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
        .where(Occurrence.series_id == patrol_series_id, Occurrence.start_at > now,
               OccurrenceRole.required_team_id == patrol_team_id,
               OccurrenceRole.is_lead.is_(False))
        .order_by(Occurrence.start_at).limit(1))
    return {role_id: [person_id]} if role_id is not None else {}


def _fill(session, ctx: _Context, rng: random.Random, series_ids: list[int],
          kind_of: dict[int, str], pools: dict, caps: dict[int, int],
          forced: dict[int, list[int]]) -> int:
    """Confirm people into slots of the first weeks; return the number of assignments.

    Only members of the required team (leads for lead slots), never over ``maximum``,
    never one person in two overlapping occurrences, at most their weekly cap.
    """
    fill_end = ctx.local_utc(ctx.start_date + timedelta(weeks=FILL_WEEKS), time(0))
    rows = session.execute(
        select(OccurrenceRole.id, OccurrenceRole.required_team_id, OccurrenceRole.is_lead,
               OccurrenceRole.maximum, Occurrence.series_id, Occurrence.start_at,
               Occurrence.end_at)
        .join(Occurrence, OccurrenceRole.occurrence_id == Occurrence.id)
        .where(Occurrence.series_id.in_(series_ids), Occurrence.status == "scheduled",
               Occurrence.start_at < fill_end)
        .order_by(Occurrence.start_at, OccurrenceRole.id)).all()
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    week_load: dict[tuple[int, int], int] = defaultdict(int)
    load: dict[int, int] = defaultdict(int)

    def week_of(start: datetime) -> int:  # weeks counted on the local calendar
        return (start.astimezone(ctx.zone).date() - ctx.start_date).days // 7

    def free(person, start, end, week):
        return (week_load[(person, week)] < caps[person]
                and not any(s < end and start < e for s, e in busy[person]))

    def take(person, start, end, week):
        busy[person].append((start, end))
        week_load[(person, week)] += 1
        load[person] += 1

    # The forced shifts go first so that nothing else can take their place.
    by_id = {r[0]: r for r in rows}
    for role_id, persons in forced.items():
        row = by_id.get(role_id)
        if row is not None:
            week = week_of(row[5])
            for person in persons:
                take(person, row[5], row[6], week)
    assignments, filled = [], []
    for role_id, team_id, is_lead, maximum, series_id, start, end in rows:
        kind = kind_of[series_id]
        lead_key = is_lead if kind != "talk" else team_id is None
        weights = _FILL_WEIGHTS[(kind, lead_key)]
        wanted = min(maximum, rng.choices(range(len(weights)), weights)[0])
        chosen = list(forced.get(role_id, ()))
        week = week_of(start)
        if len(chosen) < wanted:
            pool = pools.get((team_id, bool(is_lead)), ())
            candidates = rng.sample(pool, len(pool))
            candidates.sort(key=load.__getitem__)  # stable: ties stay shuffled
            for person in candidates:
                if len(chosen) >= wanted:
                    break
                if person not in chosen and free(person, start, end, week):
                    take(person, start, end, week)
                    chosen.append(person)
        for person in chosen:
            assignments.append({
                "occurrence_role_id": role_id, "person_id": person, "status": "confirmed",
                "waitlist_position": None, "assigned_by_id": None, "needs_notice": False,
                "attended": None, "minutes_served": None, "created_at": ctx.now,
                "updated_at": ctx.now})
        if chosen:
            filled.append({"id": role_id, "filled": len(chosen)})
    if assignments:
        _insert(session, Assignment, assignments)
        session.execute(update(OccurrenceRole), filled)
    return len(assignments)
