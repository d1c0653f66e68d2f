"""The one way views reach cases and referrals: 404 for anyone not entitled,
and an access-log row for every read — and for every refusal of a record that exists,
so that the agency whose record it is sees who tried (the one refused learns nothing)."""

from django.core.exceptions import ValidationError
from django.http import Http404

from referrals.models import AccessLog, Case, Referral


def log_access(user, *, action: str, case=None, referral=None, what: str = "") -> AccessLog:
    """Record who touched which record. Written explicitly (not by signals) so bulk
    updates and reads are covered too."""
    if referral is not None and case is None:
        case_id = referral.case_id
    else:
        case_id = case.pk if case is not None else None
    return AccessLog.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        case_id=case_id,
        referral=referral,
        action=action,
        what=what[:60],
    )


def _get_referral_for_user(request, public_id, *, what: str = "page") -> Referral:
    try:
        referral = (
            Referral.objects.visible_to(request.user)
            .select_related("case", "service", "service__organisation", "case__organisation")
            .get(public_id=public_id)
        )
    except (Referral.DoesNotExist, ValueError, ValidationError):
        _log_refusal(request.user, Referral.objects.filter(public_id=public_id), "referral", what)
        raise Http404 from None
    log_access(request.user, referral=referral, action=AccessLog.Action.READ, what=what)
    return referral


def _get_case_for_user(request, public_id, *, what: str = "page") -> Case:
    try:
        case = Case.objects.visible_to(request.user).get(public_id=public_id)
    except (Case.DoesNotExist, ValueError, ValidationError):
        _log_refusal(request.user, Case.objects.filter(public_id=public_id), "case", what)
        raise Http404 from None
    log_access(request.user, case=case, action=AccessLog.Action.READ, what=what)
    return case


def _log_refusal(user, record, kind: str, what: str) -> None:
    """A logged-in user asked for a record outside what they may see: write it down
    against the record (nothing is written for ids that name no record)."""
    if not getattr(user, "is_authenticated", False):
        return
    try:
        found = record.first()
    except (ValueError, ValidationError):
        return
    if found is not None:
        log_access(user, action=AccessLog.Action.REFUSED, what=what, **{kind: found})
