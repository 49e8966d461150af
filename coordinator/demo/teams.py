"""Demo step "teams": who is in which team, the room plan check, and the team rows."""
from __future__ import annotations

import random
from dataclasses import dataclass

from ..domain.recurrence import WEEKDAY_CODES
from ..models import Team, TeamMember
from . import data as D
from .common import insert_ids, insert_rows
from .people import People

Members = list[tuple[int, bool]]  # (person index, is lead)


class TeamPlan:
    """Team members as (person index, is_lead) lists."""

    def __init__(self):
        self.patrol: list[Members] = []
        self.care: list[Members] = []
        self.branch: list[Members] = []
        self.troupes: list[Members] = []
        self.speakers: Members = []
        self.committees: list[list[int]] = []  # [secretary, member, member] per branch
        self.demo_volunteer = -1


@dataclass(frozen=True)
class Teams:
    """The team ids of one copy, by what they are for."""

    ids: list[int]
    members: list[Members]  # members[j] belongs to ids[j]
    patrol: list[int]       # per community
    care: list[int]
    branch: list[int]
    troupes: list[int]      # in the order of ``data.TROUPES``
    speakers: int


def plan_teams(rng: random.Random, people: People, n_comm: int) -> TeamPlan:
    """Choose the branch committees, patrol and care teams, troupes and speakers."""
    plan = TeamPlan()
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


def insert_teams(session, plan: TeamPlan, pid: list[int], community_ids: list[int],
                 community_names: list[str], suffix: str) -> Teams:
    """Write per community patrol / care / branch, then the township-wide teams."""
    rows, members = [], []
    for c, cname in enumerate(community_names):
        cid = community_ids[c]
        rows += [{"name": f"{cname}义务巡逻队", "kind": "patrol", "community_id": cid},
                 {"name": f"{cname}探望慰问小组", "kind": "care", "community_id": cid},
                 {"name": f"{cname}离退休支部", "kind": "branch", "community_id": cid}]
        members += [plan.patrol[c], plan.care[c], plan.branch[c]]
    for (tname, tkind, *_rest), troupe in zip(D.TROUPES, plan.troupes):
        rows.append({"name": tname + suffix, "kind": tkind, "community_id": None})
        members.append(troupe)
    rows.append({"name": "老干部报告团" + suffix, "kind": "speakers", "community_id": None})
    members.append(plan.speakers)
    ids = insert_ids(session, Team, rows)
    insert_rows(session, TeamMember, [
        {"team_id": tid, "person_id": pid[i], "is_lead": lead}
        for tid, team in zip(ids, members) for i, lead in team])
    n = len(community_ids)
    return Teams(ids=ids, members=members, patrol=[ids[3 * c] for c in range(n)],
                 care=[ids[3 * c + 1] for c in range(n)],
                 branch=[ids[3 * c + 2] for c in range(n)], troupes=ids[3 * n:-1],
                 speakers=ids[-1])


def check_room_plan() -> None:
    """Refuse a rehearsal plan that puts two groups into one room at once."""
    windows = [(t[3], _weekly_windows(t[4], t[5], t[6])) for t in D.TROUPES]
    for n, (room_a, win_a) in enumerate(windows):
        for room_b, win_b in windows[n + 1:]:
            if room_a == room_b and _clash(win_a, win_b):
                raise AssertionError(f"demo rehearsal plan double-books {room_a}")


def _weekly_windows(byday: str, at, minutes: int):
    begin = at.hour * 60 + at.minute
    return [(WEEKDAY_CODES.index(d), begin, begin + minutes) for d in byday.split(",")]


def _clash(a, b) -> bool:
    return any(da == db and sa < eb and sb < ea for da, sa, ea in a for db, sb, eb in b)


def _compatible_troupes() -> list[list[int]]:
    windows = [_weekly_windows(t[4], t[5], t[6]) for t in D.TROUPES]
    return [[u for u in range(len(windows)) if not _clash(windows[t], windows[u])]
            for t in range(len(windows))]
