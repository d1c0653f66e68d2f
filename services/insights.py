"""Searches that found nothing: what residents look for that the catalogue lacks.

Only the normalised query text, the municipality the search chose and a count per ISO
week are stored: no IP address, no session, no user, no exact time. Rows older than 90
days are deleted. A coordinator sees a text only when it came from at least three
searches in their municipalities (national: searches without one).
"""

import re
import unicodedata
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Max, Q, Sum
from django.utils import timezone

from services.models import Municipality, UnansweredSearch

RETENTION_DAYS = 90
# A text is shown to a coordinator only when searched at least this often in the period.
MIN_SEARCHES = 3
MAX_LENGTH = 200

_digits = re.compile(r"\d")
_space = re.compile(r"\s+")
_email = re.compile(r"\S+@\S+")


def normalise_query(query: str) -> str:
    """Lower case, single spaces, no e-mail addresses or digit runs (phone and ID numbers)."""
    text = unicodedata.normalize("NFKC", str(query or "")).casefold()
    text = _email.sub(" ", text)
    text = _digits.sub("", text)
    text = "".join(ch if ch.isalnum() or ch in " -'" else " " for ch in text)
    return _space.sub(" ", text).strip()[:MAX_LENGTH]


def _week(today: date) -> tuple[str, date]:
    year, week, weekday = today.isocalendar()
    return f"{year}-W{week:02d}", today - timedelta(days=weekday - 1)


def record_unanswered_search(query: str, municipality: str = "") -> None:
    """Count one search that found nothing (called by the results view). `municipality` is
    kept only when it is a number from the municipality list, never free text."""
    text = normalise_query(query)
    if not text:
        return
    if municipality and not Municipality.objects.filter(number=municipality).exists():
        municipality = ""
    week, week_start = _week(timezone.localdate())
    rows = UnansweredSearch.objects.filter(query=text, municipality=municipality, week=week)
    if rows.update(count=F("count") + 1):
        return
    purge_unanswered_searches()  # a new row per query and week: a cheap moment to tidy up
    try:
        with transaction.atomic():
            UnansweredSearch.objects.create(
                query=text, municipality=municipality, week=week, week_start=week_start, count=1
            )
    except IntegrityError:  # another request created the row first
        rows.update(count=F("count") + 1)


def purge_unanswered_searches(today: date | None = None) -> int:
    """Delete the weeks that started more than 90 days ago. Returns the rows deleted."""
    today = today or timezone.localdate()
    deleted, _ = UnansweredSearch.objects.filter(
        week_start__lt=today - timedelta(days=RETENTION_DAYS)
    ).delete()
    return deleted


def unanswered_for(scope, weeks: int = 4):
    """The rows a coordinator with `scope` (services.coordination.Scope) may see: searches
    that chose one of their municipalities (national: none), and only texts searched at
    least MIN_SEARCHES times there in the period, since a rare text may be a name."""
    since = timezone.localdate() - timedelta(weeks=weeks)
    rows = UnansweredSearch.objects.filter(week_start__gte=since)
    if not scope.everything:
        where = Q(municipality__in=list(scope.municipalities))
        if scope.national:
            where |= Q(municipality="")
        rows = rows.filter(where) if scope.is_coordinator else rows.none()
    frequent = rows.values("query").annotate(total=Sum("count")).filter(total__gte=MIN_SEARCHES)
    return rows.filter(query__in=frequent.values("query"))


def top_unanswered(scope, weeks: int = 4, limit: int = 25) -> list[dict]:
    """The most frequent searches without results that `scope` may see (see unanswered_for),
    each with the id of its latest row (`last_id`): links carry that, not the words."""
    return list(
        unanswered_for(scope, weeks)
        .values("query")
        .annotate(total=Sum("count"), last_id=Max("id"))
        .order_by("-total", "query")[:limit]
    )
