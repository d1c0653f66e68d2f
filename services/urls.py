from django.urls import path

from services import views

app_name = "services"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.results, name="results"),
    path("services/<slug:slug>/", views.detail, name="detail"),
    path("services/<slug:slug>/meld-feil/", views.report_error, name="report_error"),
    path("services/<slug:slug>/meld-feil/takk/", views.report_error_done, name="report_error_done"),
    path("finn/", views.find, name="find"),
    path("exit/", views.quick_exit, name="exit"),
    path("skjul-sporene/", views.covering_tracks, name="tracks"),
    path("tilgjengelighet/", views.accessibility, name="accessibility"),
    path("personvern/", views.privacy, name="privacy"),
]
