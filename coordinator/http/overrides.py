"""The words for a rule a coordinator overrides: the service hands over the rule and its
numbers (``Problem``), the pages say it in the reader's language — on the suggestion, on
the confirm button, in the result and in the audit entry."""
from __future__ import annotations

from datetime import date, time

from flask_babel import gettext as _

from ..domain.eligibility import Problem
from ..vocab import WEEKDAYS
from .i18n import localdate


def _day(value: date | None) -> str:
    return localdate(value, "date")


def _clock(value: time | str | None) -> str:
    if isinstance(value, str):  # from the audit entry (ISO text)
        value = time.fromisoformat(value)
    return value.strftime("%H:%M") if value else ""


def describe(problem: Problem, name: str) -> str:
    """One plain sentence: which rule taking this shift breaks, with its numbers."""
    get = problem.get
    if problem.code == "weekly_limit":
        return _("With this shift %(name)s would have %(after)s shifts this week, more than "
                 "the %(limit)s a week they set.", name=name,
                 after=(get("count") or 0) + 1, limit=get("limit"))
    if problem.code == "unavailable" and get("weekday") is not None:
        return _("%(name)s said they cannot do %(weekday)s %(start)s–%(end)s.", name=name,
                 weekday=WEEKDAYS.label(get("weekday")), start=_clock(get("start")),
                 end=_clock(get("end")))
    if problem.code == "unavailable" and get("start") is not None:
        if get("start") == get("end"):
            return _("%(name)s said they are not available on %(date)s.", name=name,
                     date=_day(get("start")))
        return _("%(name)s said they are not available from %(start)s to %(end)s.",
                 name=name, start=_day(get("start")), end=_day(get("end")))
    if problem.code == "away":
        start, end = get("start"), get("end")
        if start and end:
            return _("%(name)s is away from %(start)s to %(end)s.", name=name,
                     start=_day(start), end=_day(end))
        if end:
            return _("%(name)s is away until %(end)s.", name=name, end=_day(end))
        if start:
            return _("%(name)s is away from %(start)s, with no date of return.", name=name,
                     start=_day(start))
        return _("%(name)s is marked away, with no dates.", name=name)
    if problem.code == "window":
        return _("Sign-up for this date opens on %(date)s.", date=get("date"))
    return _("%(name)s does not meet a rule of this shift.", name=name)


def short(problem: Problem) -> str:
    """The rule in a few words, for a button or a result ("more than 2 a week")."""
    if problem.code == "weekly_limit":
        return _("more than %(limit)s a week", limit=problem.get("limit"))
    if problem.code == "unavailable" and problem.get("weekday") is not None:
        return _("at a time they cannot do")
    if problem.code == "unavailable":
        return _("on a day they are not available")
    if problem.code == "away":
        return _("while they are away")
    if problem.code == "window":
        return _("before sign-up opens")
    return _("against a rule of this shift")


def shorts(problems) -> str:
    return _(", ").join(short(p) for p in problems)


def then(first: str, second: str) -> str:
    """Two sentences in a row (Chinese puts no space between them)."""
    return _("%(sentence)s %(next)s", sentence=first, next=second)


def explain(problems, name: str) -> str:
    """Every overridden rule in sentences (what the confirmation and the audit say)."""
    text = ""
    for problem in problems:
        text = then(text, describe(problem, name)) if text else describe(problem, name)
    return text


def confirm_label(problems) -> str:
    """The confirm button: it names what is overridden."""
    return _("Assign anyway (%(rules)s)", rules=shorts(problems))


def assigned(name: str, status: str, position: int | None, problems=()) -> str:
    """The result of an assignment, saying again what was overridden."""
    if status != "confirmed":
        text = _("The places are full; %(name)s is on the waitlist as number %(n)s.",
                 name=name, n=position)
    elif problems:
        text = _("Assigned %(name)s anyway (%(rules)s).", name=name, rules=shorts(problems))
    else:
        return _("Assigned %(name)s.", name=name)
    return then(text, explain(problems, name)) if problems else text
