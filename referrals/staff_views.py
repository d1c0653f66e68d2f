"""An agency admin manages their own organisation's staff."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from portal.outbox import queue_mail
from referrals.access import log_access
from referrals.decorators import agency_admin_view
from referrals.forms import AssignServicesForm, DeactivateForm, InviteForm
from referrals.models import AccessLog, Case, Referral
from services.models import Membership


def _posted(request):
    """Bound form data on POST (even an empty one), unbound on GET."""
    return request.POST if request.method == "POST" else None


def _get_membership_for_admin(request, pk) -> Membership:
    try:
        return Membership.objects.select_related("user").get(
            pk=pk, organisation=request.user.membership.organisation
        )
    except Membership.DoesNotExist:
        raise Http404 from None


def set_password_link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("accounts:password_reset_confirm", args=[uid, token])


@agency_admin_view
def staff_list(request):
    organisation = request.user.membership.organisation
    memberships = (
        organisation.memberships.select_related("user")
        .prefetch_related("services")
        .order_by("-is_active", "user__first_name")
    )
    return render(
        request,
        "referrals/staff_list.html",
        {"organisation": organisation, "memberships": memberships},
    )


@agency_admin_view
def staff_invite(request):
    organisation = request.user.membership.organisation
    form = InviteForm(_posted(request), organisation=organisation)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with transaction.atomic():
            user = get_user_model().objects.create_user(
                data["username"],
                data["email"],
                password=None,
                first_name=data["first_name"],
                last_name=data["last_name"],
            )
            membership = Membership.objects.create(
                user=user, organisation=organisation, role=data["role"]
            )
            membership.services.set(data["services"])
            queue_mail(
                _("Veiviser: du er invitert"),
                _("Du har fått en brukerkonto i Veiviser. Velg passord her:")
                + f"\n{set_password_link(user)}\n",
                [user.email],
            )
        messages.success(request, _("Invitasjonen er sendt."))
        return redirect("referrals:staff")
    return render(request, "referrals/staff_invite.html", {"form": form})


@agency_admin_view
def staff_services(request, pk):
    membership = _get_membership_for_admin(request, pk)
    form = AssignServicesForm(
        _posted(request),
        organisation=membership.organisation,
        initial={"services": membership.services.all()},
    )
    if request.method == "POST" and form.is_valid():
        membership.services.set(form.cleaned_data["services"])
        messages.success(request, _("Tjenestene er oppdatert."))
        return redirect("referrals:staff")
    return render(
        request, "referrals/staff_services.html", {"form": form, "membership": membership}
    )


@transaction.atomic
def hand_over(*, leaving, successor, by) -> None:
    """Give a leaving person's open cases and referrals to a colleague (logged per case)."""
    open_cases = Case.objects.filter(
        referrals__status__in=Referral.Status.open_values()
    ) | Case.objects.filter(referrals__isnull=True)
    for case in open_cases.filter(created_by=leaving).distinct():
        case.created_by = successor
        case.save(update_fields=["created_by", "updated_at"])
        case.colleagues.remove(leaving)
        log_access(by, case=case, action=AccessLog.Action.UPDATE, what="handover")
    for case in open_cases.filter(colleagues=leaving).distinct():
        case.colleagues.add(successor)
        case.colleagues.remove(leaving)
        log_access(by, case=case, action=AccessLog.Action.UPDATE, what="handover")
    Referral.objects.filter(created_by=leaving, status__in=Referral.Status.open_values()).update(
        created_by=successor
    )


@agency_admin_view
def staff_deactivate(request, pk):
    membership = _get_membership_for_admin(request, pk)
    if membership.user_id == request.user.pk or not membership.is_active:
        raise Http404
    form = DeactivateForm(_posted(request), membership=membership)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            hand_over(
                leaving=membership.user, successor=form.cleaned_data["successor"], by=request.user
            )
            membership.is_active = False
            membership.save(update_fields=["is_active"])
            membership.user.is_active = False
            membership.user.save(update_fields=["is_active"])
        messages.success(request, _("Brukeren er deaktivert og sakene er overført."))
        return redirect("referrals:staff")
    return render(
        request, "referrals/staff_deactivate.html", {"form": form, "membership": membership}
    )
