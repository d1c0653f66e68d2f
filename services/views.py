from django.shortcuts import render
from django.views.decorators.http import require_safe

from services.models import Category


@require_safe
def home(request):
    return render(request, "services/home.html", {"categories": Category.objects.all()})
