from django.urls import path  # noqa: F401  (the referrals issue fills this in)

app_name = "referrals"

urlpatterns: list = []
