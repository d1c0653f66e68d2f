from django.urls import path

from services import views

app_name = "services"

urlpatterns = [
    path("", views.home, name="home"),
    path("services/", views.results, name="results"),
    path("services/<slug:slug>/", views.detail, name="detail"),
]
