from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from portal import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/hsds/", include("services.hsds.urls")),
    path("referrals/", include("referrals.urls")),
]

# Public pages: bokmål at /, nynorsk at /nn/, English at /en/.
urlpatterns += i18n_patterns(
    path("", include("services.urls")),
    prefix_default_language=False,
)
