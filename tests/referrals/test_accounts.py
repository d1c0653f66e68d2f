import re
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from referrals import accounts

pytestmark = pytest.mark.django_db
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fresh_throttle(settings):
    from django.core.cache import cache

    cache.clear()
    settings.REQUIRE_2FA = True  # whatever the shell says: these tests are about it


def code_for(device):
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_login_asks_for_the_totp_code_when_the_user_has_a_device(client, caseworker_a):
    device = TOTPDevice.objects.create(user=caseworker_a, name="app", confirmed=True)
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert str(accounts.LOGIN_FAILED) in response.content.decode()
    assert "_auth_user_id" not in client.session
    response = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD, "otp_token": code_for(device)},
    )
    assert response.status_code == 302 and response["Location"] == "/referrals/"
    assert client.get("/referrals/").status_code == 200


def _login_page_without_token(client, password):
    page = client.post("/accounts/login/", {"username": "alice", "password": password}).text
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page)


def test_with_a_device_the_login_never_tells_whether_the_password_alone_was_right(
    client, caseworker_a
):
    TOTPDevice.objects.create(user=caseworker_a, name="app", confirmed=True)
    right = _login_page_without_token(client, PASSWORD)
    wrong = _login_page_without_token(client, "not the password")
    assert right == wrong
    assert str(accounts.LOGIN_FAILED) in right


def _enrolment_link(smtp) -> str:
    body = smtp.deliver()[-1]["body"]
    return urlsplit(re.search(r"https?://\S+", body).group(0)).path


def test_a_user_without_a_device_sets_one_up_with_an_inline_qr_code(client, caseworker_a, smtp):
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert response["Location"] == "/accounts/2fa/?next=%2Freferrals%2F"
    # Until the second factor is confirmed, referral pages send them back to the setup.
    assert client.get("/referrals/")["Location"] == "/accounts/2fa/?next=%2Freferrals%2F"
    # The password alone shows no secret: the set-up link went to the user's e-mail.
    waiting = client.get("/accounts/2fa/?next=/referrals/").text
    assert "<svg" not in waiting and "otpauth" not in waiting
    assert [m["to"] for m in smtp.deliver()] == [[caseworker_a.email]]
    response = client.get(_enrolment_link(smtp))
    assert response["Location"] == "/accounts/2fa/"
    page = client.get("/accounts/2fa/?next=/referrals/").content.decode()
    assert "<svg" in page and "http" not in page.split("<svg")[1].split("</svg>")[0].replace(
        "http://www.w3.org", ""
    )
    device = TOTPDevice.objects.get(user=caseworker_a, confirmed=False)
    assert client.post("/accounts/2fa/", {"otp_token": "000000"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows down guessing after a wrong code
    response = client.post("/accounts/2fa/?next=/referrals/", {"otp_token": code_for(device)})
    assert response["Location"] == "/referrals/"
    assert client.get("/referrals/").status_code == 200


def test_the_password_alone_cannot_enrol_a_second_factor(client, caseworker_a, smtp):
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    device = TOTPDevice.objects.get(user=caseworker_a, confirmed=False)
    device.throttle_reset()
    # Someone with the password but not the mailbox: a right code cannot confirm anything.
    response = client.post("/accounts/2fa/", {"otp_token": code_for(device)})
    assert response.status_code == 200 and "<svg" not in response.text
    assert not TOTPDevice.objects.filter(user=caseworker_a, confirmed=True).exists()
    assert client.get("/referrals/").status_code == 302
    # Nor can a forged or another user's link.
    assert client.get("/accounts/2fa/link/forged/").status_code == 400
    assert client.get("/accounts/2fa/").text.count("<svg") == 0


def test_an_enrolment_link_works_once_and_only_for_its_own_user(
    client, caseworker_a, colleague_a, smtp
):
    from django.test import Client

    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    link = _enrolment_link(smtp)
    other = Client()
    other.post("/accounts/login/", {"username": "anna", "password": PASSWORD})
    assert other.get(link).status_code == 400
    assert client.get(link)["Location"] == "/accounts/2fa/"
    device = TOTPDevice.objects.get(user=caseworker_a)
    client.post("/accounts/2fa/", {"otp_token": code_for(device)})
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert "_auth_user_id" not in client.session  # the device now wants its code
    assert client.get(link)["Location"].startswith("/accounts/login/")


def test_an_enrolment_link_opened_before_logging_in_leads_through_the_login(
    client, caseworker_a, smtp
):
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    link = _enrolment_link(smtp)
    client.post("/accounts/logout/")
    response = client.get(link)
    assert response["Location"].startswith("/accounts/login/?next=")
    response = client.post(
        response["Location"], {"username": "alice", "password": PASSWORD, "next": link}
    )
    assert response["Location"] == link
    assert len(smtp.deliver()) == 1  # no second mail while the first link is being used
    assert client.get(link)["Location"] == "/accounts/2fa/"
    assert "<svg" in client.get("/accounts/2fa/").text


def test_enrolment_mails_are_limited(client, caseworker_a, smtp):
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    for _ in range(accounts.ENROL_MAILS_PER_WINDOW + 2):
        client.post("/accounts/2fa/", {"action": "resend"})
    assert len(smtp.deliver()) == accounts.ENROL_MAILS_PER_WINDOW


def test_without_require_2fa_the_password_is_enough(client, caseworker_a, settings):
    settings.REQUIRE_2FA = False
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert client.get("/referrals/").status_code == 200


def test_failed_logins_are_throttled_per_username(client, caseworker_a):
    for _ in range(settings.LOGIN_THROTTLE_PER_USER):
        response = client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
        assert str(accounts.LOGIN_FAILED) in response.content.decode()
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert str(accounts.THROTTLED) in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_failed_logins_are_throttled_per_client(client, caseworker_a, settings):
    settings.LOGIN_THROTTLE_PER_CLIENT = 3
    for n in range(3):
        client.post("/accounts/login/", {"username": f"someone{n}", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert str(accounts.THROTTLED) in response.content.decode()


def test_the_throttle_stores_no_username_or_address_in_clear(client, caseworker_a):
    from django.db import connection

    client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    with connection.cursor() as cursor:
        cursor.execute("SELECT cache_key FROM veiviser_cache")
        keys = " ".join(row[0] for row in cursor.fetchall())
    assert "alice" not in keys and "127.0.0.1" not in keys


def test_logout_needs_post(client, caseworker_a):
    from tests.factories import login

    login(client, caseworker_a)
    assert client.get("/accounts/logout/").status_code == 405
    client.post("/accounts/logout/")
    assert client.get("/referrals/").status_code == 302


def test_password_reset_is_mailed(client, caseworker_a, smtp):
    response = client.post("/accounts/password/reset/", {"email": caseworker_a.email})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert [m["to"] for m in smtp.deliver()] == [[caseworker_a.email]]
    link = re.search(r"https?://\S+", smtp.messages[0]["body"]).group(0)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    response = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "en helt ny lang frase", "new_password2": "en helt ny lang frase"},
    )
    assert response["Location"] == "/accounts/password/reset/done/"
    caseworker_a.refresh_from_db()
    assert caseworker_a.check_password("en helt ny lang frase")


def test_staff_sessions_end_after_thirty_minutes_without_activity():
    assert settings.SESSION_COOKIE_AGE == 1800
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_the_admin_wants_a_verified_second_factor(client, coordinator):
    client.force_login(coordinator)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/2fa/?next=%2Fadmin%2F"
    from tests.factories import login

    login(client, coordinator)
    assert client.get("/admin/").status_code == 200


def test_a_coordinator_sets_up_the_second_factor_and_lands_in_the_admin(client, coordinator, smtp):
    response = client.post(
        "/accounts/login/?next=/admin/", {"username": "koordinator", "password": PASSWORD}
    )
    assert response["Location"] == "/accounts/2fa/?next=%2Fadmin%2F"
    client.get(_enrolment_link(smtp))
    device = TOTPDevice.objects.get(user=coordinator)
    response = client.post(response["Location"], {"otp_token": code_for(device)})
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_behind_a_proxy_the_client_limit_counts_each_client_not_the_proxy(
    client, caseworker_a, settings
):
    settings.LOGIN_THROTTLE_PER_CLIENT = 3
    settings.TRUSTED_PROXIES = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    for n in range(3):
        # What the client wrote itself (the first address) is ignored.
        client.post(
            "/accounts/login/",
            {"username": f"someone{n}", "password": "wrong"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}, 203.0.113.7",
            **proxy,
        )
    blocked = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.7",
        **proxy,
    )
    assert str(accounts.THROTTLED) in blocked.content.decode()
    # Another resident or caseworker behind the same proxy is not locked out.
    other = client.post(
        "/accounts/login/",
        {"username": "alice", "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.8",
        **proxy,
    )
    assert str(accounts.THROTTLED) not in other.content.decode()


@pytest.mark.parametrize(
    "trusted,forwarded,expected",
    [
        (0, "203.0.113.7", "10.0.0.2"),  # no proxy trusted: the header is ignored
        (1, "198.51.100.1, 203.0.113.7", "203.0.113.7"),
        (2, "198.51.100.1, 203.0.113.7, 10.0.0.1", "203.0.113.7"),
        (2, "203.0.113.7", "10.0.0.2"),  # fewer hops than proxies: only the peer is known
        (1, "", "10.0.0.2"),
    ],
)
def test_the_client_address_is_read_from_the_trusted_end_of_x_forwarded_for(
    rf, settings, trusted, forwarded, expected
):
    from portal.clients import client_address

    settings.TRUSTED_PROXIES = trusted
    request = rf.get("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_address(request) == expected


def test_password_reset_mails_are_throttled_per_address(client, caseworker_a, smtp):
    for _ in range(settings.LOGIN_THROTTLE_PER_USER):
        response = client.post("/accounts/password/reset/", {"email": caseworker_a.email})
        assert response["Location"] == "/accounts/password/reset/sent/"
    response = client.post("/accounts/password/reset/", {"email": caseworker_a.email})
    assert str(accounts.RESET_THROTTLED) in response.text
    assert len(smtp.deliver()) == settings.LOGIN_THROTTLE_PER_USER


def test_password_reset_requests_are_throttled_per_client(client, caseworker_a, settings):
    settings.LOGIN_THROTTLE_PER_CLIENT = 3
    for n in range(3):
        client.post("/accounts/password/reset/", {"email": f"someone{n}@example.invalid"})
    response = client.post("/accounts/password/reset/", {"email": caseworker_a.email})
    assert str(accounts.RESET_THROTTLED) in response.text
