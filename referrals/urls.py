from django.urls import path

from referrals import staff_views, views

app_name = "referrals"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("sent/", views.outbox, name="outbox"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<uuid:public_id>/", views.case_detail, name="case"),
    path("cases/<uuid:public_id>/refer/", views.case_refer, name="case_refer"),
    path("cases/<uuid:public_id>/information/", views.info_sheet, name="info_sheet"),
    path("r/<uuid:public_id>/", views.detail, name="detail"),
    path("r/<uuid:public_id>/decline/", views.decline, name="decline"),
    path("r/<uuid:public_id>/forward/", views.forward, name="forward"),
    path("r/<uuid:public_id>/messages/", views.message, name="message"),
    *[
        path(f"r/<uuid:public_id>/{action}/", views.step, {"action": action}, name=action)
        for action in ("send", "acknowledge", "accept", "complete", "withdraw")
    ],
    path("log/", views.access_log, name="access_log"),
    path("staff/", staff_views.staff_list, name="staff"),
    path("staff/invite/", staff_views.staff_invite, name="staff_invite"),
    path("staff/<int:pk>/services/", staff_views.staff_services, name="staff_services"),
    path("staff/<int:pk>/deactivate/", staff_views.staff_deactivate, name="staff_deactivate"),
]
