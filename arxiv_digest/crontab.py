"""Cron expressions read as cron reads them.

APScheduler 3 numbers weekdays from Monday = 0, while crontab numbers them from Sunday = 0 (or
7); its `CronTrigger.from_crontab` keeps that mismatch (its own docstring warns of it), so
'0 9 * * 1' would fire on Tuesdays. The weekday field is therefore spelt out as day names,
which both read alike, before APScheduler sees it.
"""

from __future__ import annotations

import re
from datetime import tzinfo

from apscheduler.triggers.cron import CronTrigger

_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")  # crontab's 0 to 6
_PART = re.compile(r"^(\*|\w+)(?:-(\w+))?(?:/(\d+))?$")


def crontab_trigger(expr: str, timezone: tzinfo | str) -> CronTrigger:
    """A trigger for a 5-field crontab expression; ValueError for one that is not."""
    fields = expr.split()
    if len(fields) == 5:
        fields[4] = _weekdays(fields[4])
    return CronTrigger.from_crontab(" ".join(fields), timezone=timezone)


def _weekdays(field: str) -> str:
    """'1-5' → 'mon,tue,wed,thu,fri', '0,7' → 'sun', '*/2' → 'sun,tue,thu,sat'; '*' as it is.
    A part it cannot read is left for APScheduler to refuse."""
    if field in ("*", "?"):
        return field
    days: set[int] = set()
    for part in field.split(","):
        match = _PART.match(part.strip().lower())
        if match is None:
            return field
        start, end, step = match[1], match[2], int(match[3] or 1)
        low: int | None = 0
        high: int | None = 6
        if start != "*":
            low = _day(start)
            high = _day(end) if end is not None else (6 if match[3] else low)
        if low is None or high is None or step < 1 or high < low:
            return field
        days.update(day % 7 for day in range(low, high + 1, step))
    return ",".join(_DAYS[day] for day in sorted(days))


def _day(value: str) -> int | None:
    """A crontab weekday: 0 to 7 (both Sunday) or a name."""
    if value.isdigit():
        return int(value) if int(value) <= 7 else None
    return _DAYS.index(value[:3]) if value[:3] in _DAYS and len(value) == 3 else None
