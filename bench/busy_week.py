"""A busy community-week for the weekly plan's files: N ordinary activities (a slot of
three places, two of them filled by named people) spread over the seven days.

Rows are written straight through the models (not the series service): the bench and the
slow test need thousands of dated activities in one week, fast; the slots' totals are kept
by the database's own triggers, as for any other writer.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from coordinator.models import Assignment, Occurrence, OccurrenceRole, Person, Series

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = ("秀英", "桂兰", "建国", "玉兰", "志强", "淑珍", "国华", "凤英", "德明", "丽华",
         "永福", "春梅", "长江", "金花", "文斌", "素芳", "海龙", "慧敏", "宝山", "月娥")
TITLES = ("晚间巡逻", "太极拳排练", "秧歌队排练", "合唱团排练", "腰鼓队排练", "治安巡逻",
          "读书会", "豫剧清唱")


def title_of(index: int) -> str:
    """The unique title of activity ``index`` (what the test looks for on paper)."""
    return f"{TITLES[index % len(TITLES)]}{index + 1:04d}"


def add_busy_week(session, community_id: int, monday: date, zone: str, count: int,
                  team_id: int | None = None, venue_id: int | None = None) -> list[str]:
    """Add ``count`` activities in the local week starting ``monday``; flush; return the
    names of their people (activity ``i`` has names ``2i`` and ``2i + 1``)."""
    tz = ZoneInfo(zone)
    people = [Person(full_name=SURNAMES[i // len(GIVEN) % len(SURNAMES)] + GIVEN[i % len(GIVEN)]
                     + (str(i // 400) if i >= 400 else ""), community_id=community_id)
              for i in range(2 * count)]
    session.add_all(people)
    session.flush()
    starts = [datetime.combine(monday + timedelta(days=index % 7),
                               time(6 + (index // 7) % 15, (index * 5) % 60), tz)
              for index in range(count)]
    # One single-date series per activity: each has its own title.
    series_list = [Series(kind="patrol", title=title_of(index), community_id=community_id,
                          team_id=team_id, venue_id=venue_id, timezone=zone, rrule=None,
                          start_date=start.date(), start_time=start.time().replace(tzinfo=None),
                          duration_minutes=60)
                   for index, start in enumerate(starts)]
    session.add_all(series_list)
    session.flush()
    occurrences = []
    for index, start in enumerate(starts):
        occ = Occurrence(series_id=series_list[index].id,
                         recurrence_id=start, start_at=start, end_at=start + timedelta(hours=1),
                         venue_id=venue_id)
        occurrences.append(occ)
    session.add_all(occurrences)
    session.flush()
    roles = [OccurrenceRole(occurrence_id=o.id, name="队员", needed=3, maximum=3, filled=2)
             for o in occurrences]
    session.add_all(roles)
    session.flush()
    session.add_all(Assignment(occurrence_role_id=r.id, person_id=people[2 * i + k].id,
                               status="confirmed") for i, r in enumerate(roles) for k in (0, 1))
    session.flush()
    return [p.full_name for p in people]
