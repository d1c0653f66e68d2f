"""Opening hours: "open now", the next opening, and Norwegian public holidays.

Times are Europe/Oslo wall-clock times. On a public holiday a service with
scheduled hours counts as closed (a period that began the evening before still
runs on into the night); a 24/7 service is always open. A service whose hours
are unknown is never "open now": `is_open_at` answers None and the page says
"hours unknown — call to check".
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

OSLO = ZoneInfo("Europe/Oslo")


def easter_sunday(year: int) -> dt.date:
    """Gregorian Easter Sunday (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    leap = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * leap) // 451
    month, day = divmod(h + leap - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


@lru_cache(maxsize=64)
def public_holidays(year: int) -> dict[dt.date, str]:
    """Norway's public holidays (helligdager and 1 and 17 May) in a year."""
    easter = easter_sunday(year)
    days = {
        dt.date(year, 1, 1): _("Første nyttårsdag"),
        easter - dt.timedelta(days=3): _("Skjærtorsdag"),
        easter - dt.timedelta(days=2): _("Langfredag"),
        easter: _("Første påskedag"),
        easter + dt.timedelta(days=1): _("Andre påskedag"),
        dt.date(year, 5, 1): _("Offentlig høytidsdag"),
        dt.date(year, 5, 17): _("Grunnlovsdag"),
        easter + dt.timedelta(days=39): _("Kristi himmelfartsdag"),
        easter + dt.timedelta(days=49): _("Første pinsedag"),
        easter + dt.timedelta(days=50): _("Andre pinsedag"),
        dt.date(year, 12, 25): _("Første juledag"),
        dt.date(year, 12, 26): _("Andre juledag"),
    }
    return days


def is_holiday(day: dt.date) -> bool:
    return day in public_holidays(day.year)


def local(when: dt.datetime | None = None) -> dt.datetime:
    """`when` (default now) as an aware Europe/Oslo time."""
    when = when or timezone.now()
    if timezone.is_naive(when):
        return when.replace(tzinfo=OSLO)
    return when.astimezone(OSLO)


def _periods(service, periods):
    return list(service.opening_hours.all()) if periods is None else periods


def is_open_at(service, when: dt.datetime | None = None, periods=None) -> bool | None:
    """True or False; None when the service's hours are unknown.

    `periods`: the service's OpeningHours rows, if the caller has read them already."""
    mode = service.hours_mode
    if mode == "always":
        return True
    if mode != "scheduled":
        return None
    now = local(when)
    today, time = now.date(), now.time().replace(tzinfo=None)
    yesterday = today - dt.timedelta(days=1)
    runs_today = not is_holiday(today)
    ran_yesterday = not is_holiday(yesterday)
    for period in _periods(service, periods):
        started_today = period.weekday == today.weekday() and period.opens <= time
        if runs_today and started_today and (period.closes_next_day or time < period.closes):
            return True
        overnight = period.weekday == yesterday.weekday() and period.closes_next_day
        if ran_yesterday and overnight and time < period.closes:
            return True
    return False


def next_opening(service, when: dt.datetime | None = None, periods=None) -> dt.datetime | None:
    """When a closed service next opens (Europe/Oslo), within two weeks.

    None when it is open now, always open, its hours are unknown, or it has no
    opening in the next two weeks.
    """
    periods = _periods(service, periods) if service.hours_mode == "scheduled" else []
    if service.hours_mode != "scheduled" or is_open_at(service, when, periods):
        return None
    now = local(when)
    for offset in range(15):
        day = now.date() + dt.timedelta(days=offset)
        if is_holiday(day):
            continue
        starts = sorted(
            dt.datetime.combine(day, p.opens, tzinfo=OSLO)
            for p in periods
            if p.weekday == day.weekday()
        )
        for start in starts:
            if start > now:
                return start
    return None


def open_now_q(when: dt.datetime | None = None) -> Q:
    """The same rule as `is_open_at` as a filter on Service."""
    from services.models import OpeningHours

    now = local(when)
    today, time = now.date(), now.time().replace(tzinfo=None, microsecond=0)
    yesterday = today - dt.timedelta(days=1)
    running = Q(pk__in=[])
    if not is_holiday(today):
        running |= Q(weekday=today.weekday(), opens__lte=time) & (
            Q(closes_next_day=True) | Q(closes__gt=time)
        )
    if not is_holiday(yesterday):
        running |= Q(weekday=yesterday.weekday(), closes_next_day=True, closes__gt=time)
    periods = OpeningHours.objects.filter(running, service=OuterRef("pk"))
    return Q(hours_mode="always") | Q(hours_mode="scheduled") & Exists(periods)


def open_now_sql(alias: str, when: dt.datetime | None = None) -> tuple[str, list]:
    """The same rule as raw SQL over a service table alias, for the search backends."""
    now = local(when)
    today, time = now.date(), now.time().replace(tzinfo=None, microsecond=0)
    yesterday = today - dt.timedelta(days=1)
    t = connection.ops.adapt_timefield_value(time)
    parts, params = [], []
    if not is_holiday(today):
        parts.append("(h.weekday = %s AND h.opens <= %s AND (h.closes_next_day OR h.closes > %s))")
        params += [today.weekday(), t, t]
    if not is_holiday(yesterday):
        parts.append("(h.weekday = %s AND h.closes_next_day AND h.closes > %s)")
        params += [yesterday.weekday(), t]
    running = " OR ".join(parts) or "1 = 0"
    sql = (
        f"({alias}.hours_mode = 'always' OR ({alias}.hours_mode = 'scheduled' AND EXISTS ("
        f"SELECT 1 FROM services_openinghours h WHERE h.service_id = {alias}.id AND ({running}))))"
    )
    return sql, params
