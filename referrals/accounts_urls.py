from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from referrals import accounts
from referrals.decorators import same_origin_referrer as forms_page

app_name = "accounts"

urlpatterns = [
    path("login/", forms_page(accounts.login_view), name="login"),
    path("logout/", forms_page(auth_views.LogoutView.as_view()), name="logout"),
    path("2fa/", forms_page(accounts.otp_setup), name="otp_setup"),
    path("2fa/link/<str:token>/", accounts.otp_enrol, name="otp_enrol"),
    path(
        "password/reset/",
        forms_page(
            accounts.ThrottledPasswordResetView.as_view(
                template_name="registration/password_reset.html",
                email_template_name="registration/password_reset_email.txt",
                subject_template_name="registration/password_reset_subject.txt",
                success_url=reverse_lazy("accounts:password_reset_done"),
            )
        ),
        name="password_reset",
    ),
    path(
        "password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(
            template_name="registration/password_reset_sent.html"
        ),
        name="password_reset_done",
    ),
    path(
        "password/reset/<uidb64>/<token>/",
        forms_page(
            auth_views.PasswordResetConfirmView.as_view(
                template_name="registration/password_set.html",
                success_url=reverse_lazy("accounts:password_reset_complete"),
            )
        ),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="registration/password_set_done.html"
        ),
        name="password_reset_complete",
    ),
]
