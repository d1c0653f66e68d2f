from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from services.models import Category, Service


@require_safe
def home(request):
    return render(request, "services/home.html", {"categories": Category.objects.all()})


@require_safe
def results(request):
    # Placeholder until the search issue lands its ranked results page.
    services = Service.objects.published().order_by("name")
    return render(request, "services/results.html", {"services": services})


@require_safe
def detail(request, slug):
    # Placeholder until the portal issue lands the full service page.
    service = get_object_or_404(Service.objects.published(), slug=slug)
    return render(request, "services/detail.html", {"service": service})
