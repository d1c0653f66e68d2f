"""The portal's URLs plus /bench-ping: the trivial view the page rates are compared to."""

from django.http import HttpResponse
from django.urls import path

from portal.urls import urlpatterns as portal_urlpatterns


def ping(request):
    return HttpResponse("pong\n", content_type="text/plain")


urlpatterns = [path("bench-ping", ping), *portal_urlpatterns]
