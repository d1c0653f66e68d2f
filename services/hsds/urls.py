from django.urls import path  # noqa: F401  (the HSDS API issue fills this in)

app_name = "hsds"

urlpatterns: list = []
