"""Staff pages for cases and referrals. Every record is reached through
referrals.access, which answers 404 to anyone not entitled and logs the read."""

import inspect

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from referrals import workflow
from referrals.access import _get_case_for_user, _get_referral_for_user, log_access
from referrals.decorators import agency_admin_view, staff_view
from referrals.forms import (
    CaseForm,
    DeclineForm,
    ForwardForm,
    InboxFilterForm,
    MessageForm,
    NoteForm,
    ReferralForm,
)
from referrals.models import AccessLog, Case, Referral
from services.models import Service


def _posted(request):
    """Bound form data on POST (even an empty one), unbound on GET."""
    return request.POST if request.method == "POST" else None


def _search(query: str, base, *, limit: int = 50) -> list:
    """Pick services with the portal's own search, limited to `base`, in rank order."""
    from services.search import search_services

    if "base" in inspect.signature(search_services).parameters:
        return list(search_services(query, {}, base=base).page(1, limit))
    # Until search_services takes `base`: rank everything, keep the ranked ones in base.
    ranked = search_services(query, {}).ids
    allowed = set(base.filter(pk__in=ranked).values_list("pk", flat=True))
    ids = [pk for pk in ranked if pk in allowed][:limit]
    found = Service.objects.select_related("organisation").prefetch_related("phones")
    by_pk = found.in_bulk(ids)
    return [by_pk[pk] for pk in ids]


@staff_view
def inbox(request):
    received = Referral.objects.received_by(request.user)
    services = Service.objects.filter(pk__in=received.values("service_id")).order_by("name")
    form = InboxFilterForm(request.GET or None, services=services)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"]:
            received = received.filter(status=data["status"])
        if data["urgency"]:
            received = received.filter(urgency=data["urgency"])
        if data["service"]:
            received = received.filter(service_id=data["service"])
        if data["overdue"]:
            received = received.overdue()
    referrals = received.select_related("service").order_by("-sent_at")[:200]
    return render(
        request,
        "referrals/inbox.html",
        {"referrals": referrals, "form": form, "now": timezone.now()},
    )


@staff_view
def outbox(request):
    sent = Referral.objects.sent_by(request.user).select_related("service", "case")
    cases = Case.objects.visible_to(request.user).order_by("-created_at")[:100]
    return render(
        request,
        "referrals/outbox.html",
        {"referrals": sent.order_by("-created_at")[:200], "cases": cases, "now": timezone.now()},
    )


@staff_view
def case_new(request):
    form = CaseForm(_posted(request), user=request.user)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        case = workflow.case_create(by=request.user, **data)
        messages.success(request, _("Saken er lagret. Velg tjenester å henvise til."))
        return redirect("referrals:case_refer", case.public_id)
    return render(request, "referrals/case_form.html", {"form": form})


@staff_view
def case_detail(request, public_id):
    case = _get_case_for_user(request, public_id)
    referrals = case.referrals.select_related("service", "service__organisation")
    return render(request, "referrals/case_detail.html", {"case": case, "referrals": referrals})


@staff_view
def case_refer(request, public_id):
    case = _get_case_for_user(request, public_id, what="refer")
    query = request.GET.get("q", "")[:200]
    receivable = workflow.receivable_services()
    choices = _search(query, receivable)
    can_refer = {s.pk for s in choices}
    # Matching services that cannot take a referral here: show how to refer instead.
    others = _search(query, Service.objects.published().exclude(pk__in=receivable), limit=10)
    # Ticked services stay available even if the search changed.
    if request.method == "POST":
        ticked = [v for v in request.POST.getlist("services") if v.isdigit()]
        extra = receivable.filter(pk__in=ticked).exclude(pk__in=can_refer)
        choices = [*extra.select_related("organisation"), *choices]
    form = ReferralForm(_posted(request), services=choices)
    if request.method == "POST" and form.is_valid():
        send = "send" in request.POST
        data = form.cleaned_data
        for pk in data["services"]:
            referral = workflow.referral_create(
                case=case,
                service=form.service_objects[pk],
                by=request.user,
                urgency=data["urgency"],
                reason=data["reason"],
                request=data["request"],
            )
            if send:
                workflow.referral_send(referral=referral, by=request.user)
        messages.success(
            request, _("Henvisningene er sendt.") if send else _("Utkastet er lagret.")
        )
        return redirect("referrals:case", case.public_id)
    return render(
        request,
        "referrals/case_refer.html",
        {"case": case, "form": form, "query": query, "others": others},
    )


@staff_view
def info_sheet(request, public_id):
    case = _get_case_for_user(request, public_id, what="info_sheet")
    log_access(request.user, case=case, action=AccessLog.Action.PRINT, what="info_sheet")
    referrals = case.referrals.exclude(status=Referral.Status.WITHDRAWN).select_related(
        "service", "service__organisation"
    )
    # Each service once, however many referrals went to it (a new one after a decline).
    services = list({r.service_id: r.service for r in referrals.order_by("created_at")}.values())
    return render(request, "referrals/info_sheet.html", {"case": case, "services": services})


@staff_view
def detail(request, public_id):
    referral = _get_referral_for_user(request, public_id)
    return _render_detail(request, referral)


def _render_detail(request, referral, forms=None):
    actions = workflow.allowed_actions(request.user, referral)
    forms = forms or {}
    context = {
        "referral": referral,
        "case": referral.case,
        "events": referral.events.select_related("actor"),
        "thread": referral.messages.select_related("author"),
        "actions": actions,
        "is_sender": workflow.is_sender(request.user, referral),
        "now": timezone.now(),
        "note_form": forms.get("note", NoteForm()),
        "decline_form": forms.get("decline", DeclineForm()),
        "message_form": forms.get("message", MessageForm()),
        "forward_form": forms.get("forward", _forward_form(referral)),
    }
    status = 400 if forms else 200
    return render(request, "referrals/detail.html", context, status=status)


def _forward_form(referral, data=None):
    queryset = workflow.receivable_services().exclude(pk=referral.service_id).order_by("name")
    return ForwardForm(data, queryset=queryset)


def _step(request, referral, step, **kwargs):
    try:
        step(referral=referral, by=request.user, **kwargs)
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Henvisningen er oppdatert."))
    return redirect("referrals:detail", referral.public_id)


SIMPLE_STEPS = {
    "send": workflow.referral_send,
    "acknowledge": workflow.referral_acknowledge,
    "accept": workflow.referral_accept,
    "complete": workflow.referral_complete,
    "withdraw": workflow.referral_withdraw,
}


@require_POST
@staff_view
def step(request, public_id, action):
    referral = _get_referral_for_user(request, public_id, what=action)
    if action == "send":
        return _step(request, referral, workflow.referral_send)
    form = NoteForm(request.POST)
    if not form.is_valid():
        return detail_with_errors(request, referral, note=form)
    return _step(request, referral, SIMPLE_STEPS[action], note=form.cleaned_data["note"])


def detail_with_errors(request, referral, **forms):
    # The refused form is shown again with what was typed.
    return _render_detail(request, referral, forms)


@require_POST
@staff_view
def decline(request, public_id):
    referral = _get_referral_for_user(request, public_id, what="decline")
    form = DeclineForm(request.POST)
    if not form.is_valid():
        return detail_with_errors(request, referral, decline=form)
    return _step(request, referral, workflow.referral_decline, reason=form.cleaned_data["reason"])


@require_POST
@staff_view
def forward(request, public_id):
    referral = _get_referral_for_user(request, public_id, what="forward")
    form = _forward_form(referral, request.POST)
    if not form.is_valid():
        return detail_with_errors(request, referral, forward=form)
    data = form.cleaned_data
    return _step(
        request,
        referral,
        workflow.referral_forward,
        to_service=data["to_service"],
        basis_confirmed=data["basis_confirmed"],
        note=data["note"],
    )


@require_POST
@staff_view
def message(request, public_id):
    referral = _get_referral_for_user(request, public_id, what="message")
    form = MessageForm(request.POST)
    if not form.is_valid():
        return detail_with_errors(request, referral, message=form)
    try:
        workflow.message_post(referral=referral, by=request.user, body=form.cleaned_data["body"])
    except workflow.WorkflowError as error:
        messages.error(request, str(error))
    return redirect("referrals:detail", referral.public_id)


@agency_admin_view
def access_log(request):
    organisation = request.user.membership.organisation
    entries = (
        AccessLog.objects.for_admin_of(organisation)
        .select_related("user", "case", "referral", "referral__service")
        .order_by("-at")[:500]
    )
    return render(request, "referrals/access_log.html", {"entries": entries})
