"""Referral flow per service for the coordinator's dashboard: counts and timings only.

The referrals side reads the catalogue, never the other way round: the dashboard in
services/admin.py finds this panel through settings.COORDINATOR_DASHBOARD_PANELS.
No names, no case data, no free text leaves this module: only statuses and durations.
"""

from statistics import median

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from referrals.models import Referral

STATUSES = [s for s in Referral.Status if s != Referral.Status.DRAFT]


def referral_flow(services: QuerySet) -> list[dict]:
    """Per service: referrals by status (drafts excluded) and the median hours to acknowledge."""
    rows: dict[int, dict] = {}
    referrals = (
        Referral.objects.filter(service__in=services)
        .exclude(status=Referral.Status.DRAFT)
        .values_list("service_id", "service__name", "status", "sent_at", "acknowledged_at")
    )
    for service_id, name, status, sent_at, acknowledged_at in referrals:
        row = rows.setdefault(
            service_id, {"service": name, "counts": dict.fromkeys(STATUSES, 0), "waits": []}
        )
        row["counts"][status] += 1
        if sent_at and acknowledged_at and acknowledged_at >= sent_at:
            row["waits"].append((acknowledged_at - sent_at).total_seconds() / 3600)
    result = []
    for row in sorted(rows.values(), key=lambda r: r["service"]):
        waits = row.pop("waits")
        row["median_hours_to_acknowledge"] = round(median(waits), 1) if waits else None
        row["total"] = sum(row["counts"].values())
        result.append(row)
    return result


def referral_flow_panel(request, services: QuerySet) -> dict:
    """The dashboard panel: a table the admin template renders as it is."""
    rows = []
    for row in referral_flow(services):
        hours = row["median_hours_to_acknowledge"]
        rows.append(
            [row["service"], row["total"]]
            + [row["counts"][s] for s in STATUSES]
            + ["–" if hours is None else f"{hours:.1f}"]
        )
    return {
        "title": _("Henvisninger per tjeneste"),
        "note": _("Bare antall og tider. Utkast er ikke med."),
        "headings": [_("Tjeneste"), _("I alt")]
        + [s.label for s in STATUSES]
        + [_("Median timer til mottatt")],
        "rows": rows,
        "empty": _("Ingen henvisninger til dine tjenester ennå."),
    }
