"""Demo step "care": the demo township's people cared for in its first community, made
through the same services as the website (``services.care.register.register``,
``services.care.visits.plan_visit``, the sign-up service, ``services.care.logs.write_log``):
one in hospital with a weekly visit for two (a past visit with its log and a need flagged
for follow-up, the coming ones with their visitors), one at home, one bereaved.

The generated communities (and the township's other communities) keep their bulk care
visits (step ``series``): only these few go through the services, so the demo stays fast
at any scale."""
from __future__ import annotations

from datetime import time, timedelta

from sqlalchemy import select

from ..models import Account, Occurrence, TeamMember
from ..services.care import logs, visits
from ..services.care import register as care
from ..services.shifts import signups
from .common import Context

PEOPLE = (
    dict(full_name="刘桂兰", place="hospital", reason="hospital", institution="团场医院",
         ward="心内科二病区", bed="12", family_name="刘建军", family_relation="儿子",
         family_phone="13899001234", visit_every_days=7,
         health_notes="心衰住院，精神尚可，爱听老歌。"),
    dict(full_name="王德福", place="home", reason="alone", address="一连3栋2单元101",
         family_name="王丽", family_relation="女儿", family_phone="13899005678",
         health_notes="独居，腿脚不便。"),
    dict(full_name="赵秀英", place="home", reason="bereaved", address="一连5栋1单元202",
         health_notes="老伴上月去世，情绪低落。"),
)


def add_care(session, ctx: Context, *, coordinator_account_id: int, community_id: int,
             team_id: int) -> dict[str, int]:
    """Register the people, plan and fill their visits, log the past one."""
    coordinator = session.get(Account, coordinator_account_id)
    began = ctx.now - timedelta(days=8)  # the weekly visit was planned a week ago
    people = [care.register(session, coordinator, community_id, care.CareInput(**values),
                            began, zone=ctx.zone_name) for values in PEOPLE]
    session.flush()
    first_day = began.astimezone(ctx.zone).date() + timedelta(days=1)
    weekly = visits.plan_visit(session, coordinator, people[0].id, visits.VisitPlan(
        title="探望慰问", start_date=first_day, start_time=time(15, 0), repeat="weekly",
        count=6, visitors=2, team_id=team_id, role_name="探望人员"),
        began, zone=ctx.zone_name, horizon_end=ctx.horizon_end)
    visits.plan_visit(session, coordinator, people[2].id, visits.VisitPlan(
        title="探望慰问", start_date=ctx.now.astimezone(ctx.zone).date() + timedelta(days=3),
        start_time=time(9, 30), visitors=2, team_id=team_id, role_name="探望人员"),
        ctx.now, zone=ctx.zone_name, horizon_end=ctx.horizon_end)
    # Two visitors of the care team who have a login (they write the log).
    visitors = session.scalars(
        select(Account.id).join(TeamMember, TeamMember.person_id == Account.person_id)
        .where(TeamMember.team_id == team_id, Account.role == "volunteer")
        .order_by(Account.id).limit(2)).all()
    occs = session.scalars(select(Occurrence).where(Occurrence.series_id == weekly.id)
                           .order_by(Occurrence.start_at)).all()
    assigned = 0
    for occ in occs:
        when = began if occ.start_at < ctx.now else ctx.now
        for account_id in visitors:
            signups.sign_up(session, coordinator, occ.roles[0].id, when,
                            person_id=session.get(Account, account_id).person_id,
                            zone=ctx.zone_name, override=True)
            assigned += 1
    logs.write_log(session, session.get(Account, visitors[0]), occs[0].id, logs.LogInput(
        condition="same", needs=("daily", "company"),
        note="精神不错，想让人帮忙买些生活用品。", follow_up=True),
        occs[0].end_at + timedelta(hours=1), zone=ctx.zone_name)
    session.flush()
    return {"cared_for": len(people), "care_assignments": assigned}
