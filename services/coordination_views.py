"""Pages outside the admin for keeping listings current.

/review/<token>/  the signed, single-use link in a review reminder: confirm or propose changes.
/suggest/<slug>/  an agency's logged-in staff member proposes edits to their own listing.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from services import coordination
from services.models import Service


def _review_form(service, data=None):
    return coordination.suggestion_form_class()(data=data, instance=service)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def review(request, token):
    try:
        link = coordination.review_token_resolve(token)
    except coordination.ReviewLinkInvalid:
        return render(request, "coordination/review_invalid.html", status=410)
    service = link.service
    form = _review_form(service)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "confirm":
                coordination.review_link_confirm(signed_value=token)
                return render(request, "coordination/review_done.html", {"confirmed": True})
            form = _review_form(Service.objects.get(pk=service.pk), request.POST)
            if form.is_valid():
                coordination.review_link_suggest(
                    signed_value=token,
                    proposed={f: form.cleaned_data[f] for f in coordination.SUGGESTION_FIELDS},
                    note=request.POST.get("note", "")[:2000],
                )
                return render(request, "coordination/review_done.html", {"confirmed": False})
        except coordination.ReviewLinkInvalid:
            return render(request, "coordination/review_invalid.html", status=410)
    return render(
        request,
        "coordination/review.html",
        {"service": service, "form": form, "phones": coordination.phone_rows(service)},
    )


@never_cache
@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def suggest(request, slug):
    service = get_object_or_404(Service.objects.select_related("organisation"), slug=slug)
    if not coordination.may_suggest(request.user, service):
        raise Http404  # do not reveal which listings belong to other agencies
    form = _review_form(service)
    if request.method == "POST":
        form = _review_form(Service.objects.get(pk=service.pk), request.POST)
        if form.is_valid():
            try:
                coordination.suggestion_create(
                    service=service,
                    user=request.user,
                    proposed={f: form.cleaned_data[f] for f in coordination.SUGGESTION_FIELDS},
                    note=request.POST.get("note", "")[:2000],
                )
            except PermissionDenied as error:
                raise Http404 from error
            return redirect("coordination:suggest_done", slug=service.slug)
    return render(request, "coordination/suggest.html", {"service": service, "form": form})


@never_cache
@login_required
@require_safe
def suggest_done(request, slug):
    service = get_object_or_404(Service, slug=slug)
    if not coordination.may_suggest(request.user, service):
        raise Http404
    return render(request, "coordination/suggest_done.html", {"service": service})
