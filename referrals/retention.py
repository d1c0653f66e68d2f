from django.db import transaction
from django.utils import timezone

from referrals.access import log_access
from referrals.models import AccessLog, Case, Message, ReferralEvent


@transaction.atomic
def purge(now=None) -> int:
    """Erase personal fields of cases past retention. Idempotent: erased cases are skipped."""
    now = now or timezone.now()
    cases = list(Case.objects.purgeable(now).select_for_update())
    for case in cases:
        case.person_name = ""
        case.birth_year = None
        case.birth_date = None
        case.phone = ""
        case.safe_times = ""
        case.consent_given_by = ""
        case.consent_scope = ""
        case.may_call = case.may_text = case.may_leave_voicemail = False
        case.may_say_who_we_are = False
        case.contact_via_referrer_only = False
        case.preferred_language = None
        case.interpreter_needed = False
        case.erased_at = now
        case.save()
        case.needs.clear()
        case.colleagues.clear()
        case.referrals.update(reason="", request="")
        Message.objects.filter(referral__case=case).delete()
        # Events are immutable one by one; erasing their free text is the one exception.
        ReferralEvent.objects.filter(referral__case=case).update(note="")
        log_access(None, case=case, action=AccessLog.Action.ERASE, what="retention")
    return len(cases)
