from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from portal import views
from referrals.accounts import TwoFactorAdminSite

# Same second-factor rule and login page for /admin/ as for the staff pages.
admin.site.__class__ = TwoFactorAdminSite

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("api/hsds/", include("services.hsds.urls")),
    path("referrals/", include("referrals.urls")),
    path("accounts/", include("referrals.accounts_urls")),
    path("", include("services.coordination_urls")),
]

# Public pages: bokmål at /, nynorsk at /nn/, English at /en/.
urlpatterns += i18n_patterns(
    path("", include("services.urls")),
    prefix_default_language=False,
)
