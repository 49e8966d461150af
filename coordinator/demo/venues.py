"""Demo step "venues": the centre's rooms, schools, hospital and each community's places."""
from __future__ import annotations

import random
from dataclasses import dataclass

from ..models import Venue
from . import data as D
from .common import insert_ids


@dataclass(frozen=True)
class Venues:
    """The venue ids of one copy, by what they are for."""

    ids: list[int]
    by_key: dict[str, int]        # the fixed ones, by their key in ``data``
    community_room: list[int]     # per community
    patrol_route: list[int]


def insert_venues(session, rng: random.Random, community_ids: list[int],
                  community_names: list[str], suffix: str) -> Venues:
    """Write the township's fixed venues, then a room and a patrol route per community."""
    rows = [{"name": name + suffix, "kind": kind, "community_id": None,
             "capacity": cap, "address": D.CENTRE_ADDRESS}
            for _key, name, kind, cap in D.CENTRE_ROOMS]
    rows += [{"name": name + suffix, "kind": "outside", "community_id": None,
              "capacity": None, "address": addr}
             for _key, name, addr in D.SCHOOLS + (D.HOSPITAL,)]
    for c, cname in enumerate(community_names):
        stops = rng.sample(D.PATROL_ROUTE_STOPS, 5)
        rows += [
            {"name": f"{cname}活动室", "kind": "room", "community_id": community_ids[c],
             "capacity": rng.choice((40, 50, 60, 80)), "address": f"{cname}综合服务楼一层"},
            {"name": f"{cname}巡逻路线", "kind": "outside", "community_id": community_ids[c],
             "capacity": None, "address": "—".join(stops)}]
    ids = insert_ids(session, Venue, rows)
    fixed = len(D.CENTRE_ROOMS) + len(D.SCHOOLS) + 1
    by_key = {key: vid for (key, *_r), vid in zip(D.CENTRE_ROOMS + D.SCHOOLS + (D.HOSPITAL,),
                                                  ids)}
    n = len(community_ids)
    return Venues(ids=ids, by_key=by_key,
                  community_room=[ids[fixed + 2 * c] for c in range(n)],
                  patrol_route=[ids[fixed + 2 * c + 1] for c in range(n)])
