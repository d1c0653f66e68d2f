"""Searches that found nothing: what residents look for that the catalogue lacks.

Only the normalised query text and a count per ISO week are stored: no IP address, no
session, no user, no exact time. Rows older than 90 days are deleted.
"""

import re
import unicodedata
from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from services.models import UnansweredSearch

RETENTION_DAYS = 90
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


def record_unanswered_search(query: str) -> None:
    """Count one search that found nothing (called by the results view)."""
    text = normalise_query(query)
    if not text:
        return
    week, week_start = _week(timezone.localdate())
    updated = UnansweredSearch.objects.filter(query=text, week=week).update(count=F("count") + 1)
    if updated:
        return
    purge_unanswered_searches()  # a new row per query and week: a cheap moment to tidy up
    try:
        with transaction.atomic():
            UnansweredSearch.objects.create(query=text, week=week, week_start=week_start, count=1)
    except IntegrityError:  # another request created the row first
        UnansweredSearch.objects.filter(query=text, week=week).update(count=F("count") + 1)


def purge_unanswered_searches(today: date | None = None) -> int:
    """Delete the weeks that started more than 90 days ago. Returns the rows deleted."""
    today = today or timezone.localdate()
    deleted, _ = UnansweredSearch.objects.filter(
        week_start__lt=today - timedelta(days=RETENTION_DAYS)
    ).delete()
    return deleted


def top_unanswered(weeks: int = 4, limit: int = 25) -> list[dict]:
    """The most frequent searches without results over the last `weeks` weeks, each with
    the id of its latest row (`last_id`): links carry that, not the resident's words."""
    from django.db.models import Max, Sum

    since = timezone.localdate() - timedelta(weeks=weeks)
    return list(
        UnansweredSearch.objects.filter(week_start__gte=since)
        .values("query")
        .annotate(total=Sum("count"), last_id=Max("id"))
        .order_by("-total", "query")[:limit]
    )
