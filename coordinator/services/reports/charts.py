"""The geometry of the report's charts: pure arithmetic, drawn as SVG by the template
(``templates/reports/_charts.html``), so a chart is readable without JavaScript, in the
page and in the PDF alike."""
from __future__ import annotations

import math
from dataclasses import dataclass

WIDTH, HEIGHT = 360, 210
LEFT, RIGHT, TOP, BOTTOM = 50, 8, 12, 36  # room for the axis labels


@dataclass(frozen=True)
class Mark:
    """One month: its bar (or point) and labels."""

    x: float  # left of the bar
    width: float
    cx: float  # centre
    y: float  # top of the bar / the point (bottom of the plot when there is no value)
    height: float
    label: str  # the month
    value: float | None


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int  # y of the axis
    ticks: tuple[tuple[float, float], ...]  # (y, value)
    marks: tuple[Mark, ...]
    line: tuple[str, ...]  # polyline point lists, broken where a month has no value


def nice_top(value: float) -> float:
    """The smallest 1, 2 or 5 × 10ⁿ at or above ``value`` (1 for nothing)."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= value)


def chart(values: list[float | None], labels: list[str], *,
          top: float | None = None) -> Chart:
    """Lay out one value per month (None: nothing recorded) on a 0..top axis."""
    top = top or nice_top(max((v for v in values if v is not None), default=0))
    bottom = HEIGHT - BOTTOM
    span = bottom - TOP
    step = (WIDTH - LEFT - RIGHT) / max(len(values), 1)
    marks = []
    for i, (value, label) in enumerate(zip(values, labels)):
        h = 0 if value is None else span * min(value, top) / top
        x = LEFT + i * step
        marks.append(Mark(round(x + step * .15, 1), round(step * .7, 1),
                          round(x + step / 2, 1), round(bottom - h, 1), round(h, 1), label,
                          value))
    lines, current = [], []
    for m in marks:
        if m.value is None:
            if current:
                lines.append(" ".join(current))
            current = []
        else:
            current.append(f"{m.cx},{m.y}")
    if current:
        lines.append(" ".join(current))
    ticks = tuple((round(bottom - span * f, 1), top * f) for f in (0, .5, 1))
    return Chart(WIDTH, HEIGHT, LEFT, WIDTH - RIGHT, TOP, bottom, ticks, tuple(marks),
                 tuple(lines))
