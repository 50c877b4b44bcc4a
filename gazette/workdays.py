"""Days: the calendar day of a date or date-time, and working days on China's official calendar,
make-up working days (调休) included."""

from __future__ import annotations

import datetime as dt
import logging

import chinese_calendar

logger = logging.getLogger(__name__)


def day(value: dt.date | dt.datetime) -> dt.date:
    """The calendar day of a date, or of a date-time in its own zone (documents' are Beijing time)."""
    return value.date() if isinstance(value, dt.datetime) else value


def is_workday(day: dt.date) -> bool:
    """True on official working days; outside chinese-calendar's years, Monday to Friday."""
    try:
        return chinese_calendar.is_workday(day)
    except NotImplementedError:  # the package covers the years it was released for
        return day.weekday() < 5


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (the day of receipt does not count)."""
    days, day = 0, start
    while day < end:
        day += dt.timedelta(days=1)
        days += is_workday(day)
    return days
