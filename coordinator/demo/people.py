"""Demo step "people": the members of one copy, their rows, and the logins."""
from __future__ import annotations

import random
import secrets
from datetime import timedelta

from ..models import Account, CoordinatorScope, Person
from . import data as D
from .common import Context, insert_ids, insert_rows

DEMO_USERNAMES = ("admin", "leader", "coordinator", "volunteer")


class People:
    """Column lists of the members of one copy, indexed 0..605."""

    def __init__(self):
        self.name, self.phone, self.email, self.community = [], [], [], []
        self.address, self.birth_year, self.status = [], [], []
        self.away_from, self.away_until, self.max_shifts, self.notes = [], [], [], []


def random_name(rng: random.Random) -> str:
    """Return a plausible Chinese full name."""
    given = D.GIVEN_MALE if rng.random() < 0.5 else D.GIVEN_FEMALE
    return rng.choice(D.SURNAMES) + rng.choice(given)


def home_address(rng: random.Random, cname: str) -> str:
    """Return a flat in community ``cname``."""
    return (f"{cname}{rng.randint(1, 24)}栋{rng.randint(1, 4)}单元"
            f"{rng.randint(1, 6)}0{rng.randint(1, 4)}室")


def make_people(ctx: Context, rng: random.Random, community_names: list[str]) -> People:
    """Draw the members of one copy: names, phones, status (active, away, inactive)."""
    n_comm = len(community_names)
    total = D.PEOPLE_PER_COPY
    away = set(rng.sample(range(total), D.AWAY_PER_COPY))
    temporarily_away = set(rng.sample(sorted(away), D.AWAY_PER_COPY // 3))
    honoured = set(rng.sample([i for i in range(total) if i not in away], len(D.HONOURS)))
    honours = iter(D.HONOURS)
    p = People()
    start = ctx.start_date
    index = 0
    for c, cname in enumerate(community_names):
        size = total // n_comm + (1 if c < total % n_comm else 0)
        seen: set[str] = set()
        for _ in range(size):
            name = random_name(rng)
            for _retry in range(8):  # the same name twice in one branch confuses people
                if name not in seen:
                    break
                name = random_name(rng)
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
                p.address.append(home_address(rng, cname))
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
                p.address.append(home_address(rng, cname))
            p.notes.append(note)
            index += 1
    # A few members who stopped taking part (the participation report finds them).
    for c in range(n_comm):
        members = [i for i in range(total) if p.community[i] == c and p.status[i] == "active"
                   and i not in honoured]
        for i in rng.sample(members, D.INACTIVE_PER_COMMUNITY):
            p.status[i] = "inactive"
    return p


def insert_people(session, ctx: Context, people: People, committees: list[list[int]],
                  demo_volunteer: int | None, community_ids: list[int]) -> list[int]:
    """Title the branch committees, make the demo volunteer reachable, write the rows;
    return the new person ids by member index."""
    for committee in committees:
        for n, i in enumerate(committee):
            title = "支部书记" if n == 0 else "支部委员"
            people.notes[i] = f"{title}；{people.notes[i]}" if people.notes[i] else title
    if demo_volunteer is not None:
        # The demo volunteer must be able to log in and have a future shift.
        if people.phone[demo_volunteer] is None:
            people.phone[demo_volunteer] = ctx.next_phone()
        people.max_shifts[demo_volunteer] = None
    return insert_ids(session, Person, [
        {"full_name": people.name[i], "phone": people.phone[i], "email": people.email[i],
         "community_id": community_ids[people.community[i]], "address": people.address[i],
         "languages": None, "birth_year": people.birth_year[i], "status": people.status[i],
         "away_from": people.away_from[i], "away_until": people.away_until[i],
         "max_shifts_per_week": people.max_shifts[i], "notes": people.notes[i],
         "created_at": ctx.now}
        for i in range(len(people.name))])


def insert_logins(session, ctx: Context, people: People, pid: list[int], *,
                  demo: dict[str, int | None] | None, scope_community_id: int) -> int:
    """Write the demo logins (``demo``: username -> person id, first copy only; a
    username an administrator already made is left alone) and a volunteer login by
    phone for every other member with a phone; return how many were made."""
    made, demo_persons = 0, set()
    for username, person in (demo or {}).items():
        if username in ctx.taken_usernames:
            continue
        account_ids = insert_ids(session, Account, [_account_row(ctx, username, username,
                                                                 person)])
        if username == "coordinator":
            insert_rows(session, CoordinatorScope, [
                {"account_id": account_ids[0], "community_id": scope_community_id}])
        made += 1
        demo_persons.add(person)
    phone_rows = [_account_row(ctx, "volunteer", None, pid[i]) for i in range(len(pid))
                  if people.phone[i] is not None and pid[i] not in demo_persons]
    insert_rows(session, Account, phone_rows)
    return made + len(phone_rows)


def _account_row(ctx: Context, role: str, username: str | None, person_id: int | None):
    return {"username": username, "person_id": person_id, "password_hash": ctx.password_hash,
            "role": role, "is_enabled": True, "session_token": secrets.token_urlsafe(32),
            "locale": None, "text_size": "standard", "created_at": ctx.now,
            "last_login_at": None}
