from django.urls import path

from services import coordination_views

app_name = "coordination"

urlpatterns = [
    path("review/<str:token>/", coordination_views.review, name="review"),
    path("suggest/<slug:slug>/", coordination_views.suggest, name="suggest"),
    path("suggest/<slug:slug>/sendt/", coordination_views.suggest_done, name="suggest_done"),
]
