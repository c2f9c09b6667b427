"""A theme's trend as a picture: how many distinct customers raised it in each of the last months.

An inline SVG (no script, no library): one bar per month with its count written on it, the month
under it, the current month marked. It carries its numbers as text for a screen reader (`<title>`,
`<desc>`), and the theme's colours (`--md-*`) so it reads in light and dark palettes alike.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from html import escape

from ..model import Entry

MONTHS = 12
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True)
class Trend:
    """Distinct customers per month, oldest first, ending with the month of `today`; and the distinct
    customers of the last three months and of the three before (a customer heard in two months of
    one window is one)."""

    months: tuple[dt.date, ...]  # the first day of each month
    customers: tuple[int, ...]
    recent: int = 0
    before: int = 0

    def summary(self) -> str:
        """One line the reader takes in at once: the last three months against the three before."""
        change = self.recent - self.before
        direction = f"up {change}" if change > 0 else f"down {-change}" if change < 0 else "no change"
        return f"{self.recent} in the last 3 months, {direction} from {self.before} in the 3 months before"

    def described(self) -> str:
        return ", ".join(f"{MONTH_NAMES[m.month - 1]} {m.year}: {n}" for m, n in zip(self.months, self.customers))


def trend(insights: Iterable[Entry], today: dt.date, months: int = MONTHS) -> Trend:
    """The distinct customers (Insight.customer_key) of `insights` in each of the `months` months
    up to the month of `today`; an insight dated later (the team's view holds none) is not counted."""
    starts = [_month(today, -i) for i in range(months - 1, -1, -1)]
    seen: dict[dt.date, set[str]] = {m: set() for m in starts}
    for e in insights:
        month = e.date.replace(day=1)
        if month in seen and e.insight:
            seen[month].add(e.insight.customer_key)
    window = [seen[m] for m in starts]
    return Trend(tuple(starts), tuple(map(len, window)), len(set().union(*window[-3:])),
                 len(set().union(*window[-6:-3])))


def _month(today: dt.date, offset: int) -> dt.date:
    index = today.year * 12 + today.month - 1 + offset
    return dt.date(index // 12, index % 12 + 1, 1)


def bars(t: Trend, label: str, *, width: int = 420, height: int = 140) -> str:
    """The trend as bars, `label` naming what is counted (the theme), with each count on its bar."""
    top = max(t.customers) or 1
    step = width / len(t.customers)
    plot = height - 34  # room for the counts above and the months below
    out = [f'<svg class="np-chart" viewBox="0 0 {width} {height}" role="img" aria-labelledby="np-t np-d" '
           f'xmlns="http://www.w3.org/2000/svg"><title id="np-t">Distinct customers per month: {escape(label)}</title>'
           f'<desc id="np-d">{escape(t.described())}</desc>']
    for i, (month, n) in enumerate(zip(t.months, t.customers)):
        h = round(plot * n / top) if n else 1
        x, y = round(i * step + step * 0.15), 16 + plot - h
        current = " np-now" if i == len(t.customers) - 1 else ""
        out.append(f'<rect class="np-bar{current}" x="{x}" y="{y}" width="{round(step * 0.7)}" height="{h}" rx="2"/>')
        out.append(f'<text class="np-count" x="{round(x + step * 0.35)}" y="{y - 4}">{n}</text>')
        name = MONTH_NAMES[month.month - 1] + (f" {month.year % 100:02d}" if month.month == 1 or i == 0 else "")
        out.append(f'<text class="np-month" x="{round(x + step * 0.35)}" y="{height - 4}">{name}</text>')
    out.append("</svg>")
    return "".join(out)


def spark(t: Trend, *, width: int = 96, height: int = 24) -> str:
    """A small version of `bars` for a table row: the bars only, the numbers in its title."""
    top = max(t.customers) or 1
    step = width / len(t.customers)
    rects = "".join(
        f'<rect class="np-bar" x="{round(i * step, 1)}" y="{height - max(1, round(height * n / top))}" '
        f'width="{round(step * 0.7, 1)}" height="{max(1, round(height * n / top))}"/>'
        for i, n in enumerate(t.customers))
    return (f'<svg class="np-spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{escape(t.described())}</title>{rects}</svg>')
