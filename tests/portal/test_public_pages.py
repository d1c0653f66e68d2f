"""The resident's portal: pages, privacy promises, headers and the error report."""

import logging
import re

import pytest
from django.test import override_settings
from django.urls import reverse

from services.models import ErrorReport, Service

pytestmark = pytest.mark.django_db

CONFIDENTIAL_SLUG = "demo-stavanger-trygg-bolig"


def public_urls(slug: str) -> list[str]:
    urls = []
    for prefix in ("", "/nn", "/en"):
        urls += [
            f"{prefix}/",
            f"{prefix}/?municipality=1103",
            f"{prefix}/services/",
            f"{prefix}/services/?q=trygg+bolig",
            f"{prefix}/services/?municipality=1103",
            f"{prefix}/services/{slug}/",
            f"{prefix}/services/{slug}/meld-feil/",
            f"{prefix}/services/{slug}/meld-feil/takk/",
            f"{prefix}/finn/?municipality=Stavanger&q=bolig",
            f"{prefix}/finn/?municipality=Sta",
            f"{prefix}/skjul-sporene/",
            f"{prefix}/tilgjengelighet/",
            f"{prefix}/personvern/",
        ]
    return urls


@pytest.fixture
def bergen_service():
    return (
        Service.objects.published()
        .filter(locations__is_confidential=False)
        .exclude(locations__street="")
        .first()
    )


def test_every_public_page_answers_200_without_cookies_and_with_strict_headers(client):
    for url in public_urls(CONFIDENTIAL_SLUG):
        response = client.get(url, follow=True)
        assert response.status_code == 200, url
        assert not response.cookies, url
        for hop, _status in response.redirect_chain:
            assert "Set-Cookie" not in hop
        csp = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in csp
        assert "frame-ancestors 'none'" in csp
        assert "script-src 'self'" in csp
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "no-referrer"
        head = response.text.split("</head>")[0]
        assert re.findall(r'<meta name="referrer" content="([^"]*)">', head) == ["no-referrer"]


def test_staff_pages_send_their_own_origin_so_their_forms_pass_the_csrf_check(client):
    # Under no-referrer Chromium sends "Origin: null" with a same-site POST.
    head = client.get("/accounts/login/").text.split("</head>")[0]
    assert re.findall(r'<meta name="referrer" content="([^"]*)">', head) == ["same-origin"]


def test_the_confidential_address_reaches_no_response(client):
    service = Service.objects.get(slug=CONFIDENTIAL_SLUG)
    assert service.locations.filter(is_confidential=True, street="Skjermveien 12").exists()
    urls = public_urls(CONFIDENTIAL_SLUG) + [
        "/services/?q=trygg+bolig+stavanger",
        "/api/hsds/services/",
        f"/api/hsds/services/{service.uuid}/",
        f"/api/hsds/services/{service.uuid}",
    ]
    for url in urls:
        response = client.get(url, follow=True)
        body = b"".join(response) if response.streaming else response.content
        assert b"Skjermveien" not in body, url
        assert b"4014" not in body, url


def test_the_confidential_service_page_says_the_address_is_given_on_contact(client):
    response = client.get(f"/services/{CONFIDENTIAL_SLUG}/")
    assert "Adressen er skjermet. Du får den når du tar kontakt." in response.text
    assert "openstreetmap.org" not in response.text


def test_a_public_address_links_to_openstreetmap(client, bergen_service):
    response = client.get(f"/services/{bergen_service.slug}/")
    assert "https://www.openstreetmap.org/" in response.text


def test_the_service_page_shows_facts_demo_marking_and_verification_state(client):
    response = client.get(f"/services/{CONFIDENTIAL_SLUG}/")
    text = response.text
    assert "Ikke kontrollert ennå" in text
    assert "oppdiktet tjeneste" in text
    assert "Du trenger henvisning." in text
    assert "Gratis" in text
    assert "Meld fra om feil i denne oppføringen" in text
    assert reverse("services:report_error", args=[CONFIDENTIAL_SLUG]) in text


def test_the_service_page_in_english_shows_english_texts_and_html_lang(client):
    response = client.get(f"/en/services/{CONFIDENTIAL_SLUG}/")
    assert '<html lang="en">' in response.text
    assert "Trygg bolig (safe housing)" in response.text
    assert "You need a referral." in response.text
    response = client.get(f"/nn/services/{CONFIDENTIAL_SLUG}/")
    assert '<html lang="nn">' in response.text


def test_no_page_references_another_host_for_scripts_styles_images_or_frames(client):
    pattern = re.compile(
        r"<(script|link|img|iframe|frame|embed|object|source|video|audio)\b[^>]*>", re.I
    )
    for url in public_urls(CONFIDENTIAL_SLUG):
        html = client.get(url, follow=True).text
        for tag in pattern.finditer(html):
            assert "//" not in re.sub(r"\s", "", tag.group(0)).replace('rel="stylesheet"', ""), (
                url,
                tag.group(0),
            )
        assert "<iframe" not in html
        assert " style=" not in html, url
        assert re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html) is None, url


def test_the_home_page_shows_every_emergency_number_as_a_link(client):
    html = client.get("/").text
    for href in ["tel:112", "tel:113", "tel:110", "tel:116117", "tel:116111", "tel:116006"]:
        assert f'href="{href}"' in html
    assert 'href="sms:1412"' in html


def test_the_home_page_has_no_municipality_select(client):
    html = client.get("/").text
    assert "<select" not in html
    assert len(html.encode()) < 30_000


def test_a_typed_municipality_name_becomes_its_number_in_the_results_url(client):
    response = client.get("/finn/", {"q": "kjæresten truer meg", "municipality": "bergen"})
    assert response.status_code == 302
    assert "municipality=4601" in response["Location"]
    assert response["Location"].startswith("/services/?")


def test_an_unknown_municipality_gets_a_clear_message_not_an_error(client):
    response = client.get("/finn/", {"municipality": "Atlantis"})
    assert response.status_code == 200
    assert "Vi fant ingen kommune som heter «Atlantis»." in response.text


def test_a_shared_municipality_name_offers_each_candidate(client):
    response = client.get("/finn/", {"municipality": "Herøy"})
    assert response.status_code == 200
    assert response.text.count("municipality=") >= 2


def test_language_links_keep_path_and_query(client):
    html = client.get("/services/?q=vold").text
    assert 'href="/en/services/?q=vold"' in html
    assert 'href="/nn/services/?q=vold"' in html


def test_category_names_follow_the_language(client):
    from services.models import Category

    category = Category.objects.get(slug="vold-i-naere-relasjoner")
    assert category.name_en in client.get("/en/").text
    assert category.name_nn in client.get("/nn/").text
    assert category.name_nb in client.get("/").text


def test_quick_exit_clears_site_data_and_leaves_for_the_neutral_site(client, settings):
    settings.QUICK_EXIT_URL = "https://www.yr.no/"
    response = client.get("/exit/")
    assert response.status_code == 302
    assert response["Location"] == "https://www.yr.no/"
    assert response["Clear-Site-Data"] == '"cache", "cookies", "storage"'


def test_every_public_page_carries_the_quick_exit_link(client):
    for url in public_urls(CONFIDENTIAL_SLUG):
        html = client.get(url, follow=True).text
        assert 'class="quick-exit-button" href="' in html, url
        assert "/exit/" in html, url


def test_bad_input_never_gives_a_server_error(client):
    for url in [
        "/?municipality=%00%ff",
        "/finn/?municipality=" + "x" * 5000,
        "/finn/?municipality=%27%22%3C",
        "/finn/?municipality=%00%00%00%00&q=%00",
        "/finn/?municipality=%D9%A1%D9%A2%D9%A3%D9%A4",
        "/services/ingen-slik-tjeneste/",
        "/services/ingen-slik-tjeneste/meld-feil/",
    ]:
        assert client.get(url).status_code in {200, 302, 404}, url


# --- Report an error -------------------------------------------------------------


def report_form(client, slug=CONFIDENTIAL_SLUG):
    html = client.get(f"/services/{slug}/meld-feil/").text
    return re.search(r'name="token" value="([^"]+)"', html).group(1)


def post_report(client, token, slug=CONFIDENTIAL_SLUG, **extra):
    data = {"field": "hours", "message": "Stengt på fredager nå.", "token": token, **extra}
    headers = extra.pop("headers", {})
    return client.post(f"/services/{slug}/meld-feil/", data, headers=headers)


def test_a_resident_reports_an_error_and_sees_a_confirmation(client):
    token = report_form(client)
    response = post_report(client, token)
    assert response.status_code == 302
    assert response["Location"] == f"/services/{CONFIDENTIAL_SLUG}/meld-feil/takk/"
    assert not response.cookies
    report = ErrorReport.objects.get()
    assert report.service.slug == CONFIDENTIAL_SLUG
    assert report.field == "hours"
    assert report.status == ErrorReport.Status.OPEN
    assert "Takk for meldingen" in client.get(response["Location"]).text


def test_the_report_form_page_sets_no_cookie_and_no_csrf_token(client):
    response = client.get(f"/services/{CONFIDENTIAL_SLUG}/meld-feil/")
    assert not response.cookies
    assert "csrfmiddlewaretoken" not in response.text


def test_an_empty_report_shows_an_error_summary_and_keeps_nothing(client):
    token = report_form(client)
    response = client.post(
        f"/services/{CONFIDENTIAL_SLUG}/meld-feil/", {"token": token, "message": ""}
    )
    assert response.status_code == 400
    assert "Det er et problem" in response.text
    assert "<title>Feil: " in response.text
    assert 'href="#id_message"' in response.text
    assert 'href="#id_field_0"' in response.text
    assert 'id="id_field_0"' in response.text
    assert ErrorReport.objects.count() == 0


def test_a_report_with_a_forged_or_foreign_token_is_refused(client):
    response = post_report(client, "forged")
    assert response.status_code == 400
    other = Service.objects.published().exclude(slug=CONFIDENTIAL_SLUG).first()
    response = post_report(client, report_form(client, other.slug))
    assert response.status_code == 400
    assert ErrorReport.objects.count() == 0


def test_a_report_posted_from_another_site_is_refused(client):
    token = report_form(client)
    response = client.post(
        f"/services/{CONFIDENTIAL_SLUG}/meld-feil/",
        {"field": "hours", "message": "x", "token": token},
        headers={"Origin": "https://evil.example"},
    )
    assert response.status_code == 403
    response = client.post(
        f"/services/{CONFIDENTIAL_SLUG}/meld-feil/",
        {"field": "hours", "message": "x", "token": token},
        headers={"Sec-Fetch-Site": "cross-site"},
    )
    assert response.status_code == 403
    assert ErrorReport.objects.count() == 0


def test_a_filled_honeypot_is_thanked_but_not_saved(client):
    response = post_report(client, report_form(client), website="http://spam.example")
    assert response.status_code == 302
    assert ErrorReport.objects.count() == 0


@override_settings(ERROR_REPORTS_PER_HOUR=2)
def test_reports_are_throttled_per_client_without_storing_the_address(client):
    from django.core.cache import cache

    cache.clear()
    token = report_form(client)
    assert post_report(client, token).status_code == 302
    assert post_report(client, token).status_code == 302
    response = post_report(client, token)
    assert response.status_code == 400
    assert "Prøv igjen om en time" in response.text
    assert ErrorReport.objects.count() == 2
    for report in ErrorReport.objects.all():
        assert "127.0.0.1" not in f"{report.message}{report.contact}{report.field}"
    cache.clear()


def test_error_reports_are_registered_in_the_admin_for_the_coordinator():
    from django.contrib import admin

    assert admin.site.is_registered(ErrorReport)


# --- Logs --------------------------------------------------------------------------


def test_request_log_lines_lose_query_strings_and_client_addresses(settings):
    from portal.logfilters import DropQueryStrings

    record = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /services/?q=kj%C3%A6resten+truer HTTP/1.1", "200", "1234"),
        None,
    )
    record.msg = "%s from 192.168.10.20 " + record.msg
    record.args = ("hit",) + record.args
    assert DropQueryStrings().filter(record)
    line = record.getMessage()
    assert "kj%C3%A6resten" not in line
    assert "192.168.10.20" not in line
    assert "GET /services/ HTTP/1.1" in line
    assert "no_queries" in settings.LOGGING["handlers"]["console"]["filters"]
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]


def test_runserver_request_logging_goes_through_the_filter(caplog):
    handler = logging.getLogger("django.server").handlers[0]
    line = logging.LogRecord(
        "django.server",
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        ("GET /services/?q=voldtekt HTTP/1.1", "200", "10"),
        None,
    )
    assert handler.filter(line)
    assert "voldtekt" not in handler.format(line)


def test_gunicorn_access_log_has_no_query_string_or_client_address():
    from pathlib import Path

    from django.conf import settings

    namespace = {}
    exec((Path(settings.BASE_DIR) / "gunicorn.conf.py").read_text(), namespace)
    log_format = namespace["access_log_format"]
    for atom in ("%(h)s", "%(q)s", "%(r)s", "%({x-forwarded-for}i)s", "%({referer}i)s"):
        assert atom not in log_format


def test_production_settings_turn_on_hsts_and_secure_cookies():
    import os
    import subprocess
    import sys

    code = (
        "import django;django.setup();from django.conf import settings as s;"
        "print(s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE,"
        " s.SECURE_SSL_REDIRECT)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "portal.settings", "DJANGO_DEBUG": "0"}
    env.pop("SECURE_HSTS_SECONDS", None)
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert int(out[0]) >= 31536000
    assert out[1:] == ["True", "True", "True"]


def test_the_service_page_says_open_now_or_hours_unknown(client):
    always = Service.objects.published().filter(hours_mode="always").first()
    assert "Åpent nå" in client.get(f"/services/{always.slug}/").text
    unknown = Service.objects.published().filter(hours_mode="unknown").first()
    assert "ring for å sjekke" in client.get(f"/services/{unknown.slug}/").text


def test_every_public_page_stays_within_twelve_queries(client, django_assert_max_num_queries):
    for url in public_urls(CONFIDENTIAL_SLUG):
        with django_assert_max_num_queries(12):
            client.get(url)


def test_results_in_english_show_english_service_texts(client):
    service = Service.objects.get(slug=CONFIDENTIAL_SLUG)
    html = client.get("/en/services/", {"q": "trygg bolig", "municipality": "1103"}).text
    assert service.name_en in html
    assert '<html lang="en">' in html


def test_a_verified_listing_says_when_it_was_last_checked(client):
    import datetime as dt

    from django.utils import timezone

    service = Service.objects.get(slug=CONFIDENTIAL_SLUG)
    service.last_verified_at = timezone.make_aware(dt.datetime(2026, 3, 5, 12, 0))
    service.save(update_fields=["last_verified_at"])
    html = client.get(f"/services/{CONFIDENTIAL_SLUG}/").text
    assert "Sist kontrollert 5. mars 2026" in html
    assert "Ikke kontrollert ennå" not in html


def test_a_closed_service_names_its_next_opening(client):
    import datetime as dt

    from django.utils import timezone

    from services.models import OpeningHours

    service = Service.objects.get(slug=CONFIDENTIAL_SLUG)
    tomorrow = (timezone.localtime() + dt.timedelta(days=2)).weekday()
    service.hours_mode = Service.HoursMode.SCHEDULED
    service.save(update_fields=["hours_mode"])
    service.opening_hours.all().delete()
    OpeningHours.objects.create(
        service=service, weekday=tomorrow, opens=dt.time(9, 0), closes=dt.time(10, 0)
    )
    html = client.get(f"/services/{CONFIDENTIAL_SLUG}/").text
    assert "Stengt nå" in html
    assert "Åpner " in html
    assert "kl. 09:00" in html


def test_the_steward_gets_a_mail_without_the_report_or_the_reporter(
    client, smtp, django_capture_on_commit_callbacks
):
    from services.models import StewardContact

    StewardContact.objects.create(
        municipality_id="1103",
        role="Koordinator",
        email="koord@example.invalid",
        notify_on_report=True,
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = post_report(
            client, report_form(client), message="Hemmelig detalj", contact="ola@example.invalid"
        )
    assert response.status_code == 302
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["to"] == ["koord@example.invalid"]
    body = smtp.messages[0]["body"]
    assert "Hemmelig detalj" not in body
    assert "ola@example.invalid" not in body


def test_the_service_page_names_who_keeps_the_listing_current_once_it_is_published(client):
    from services.models import StewardContact

    service = Service.objects.get(slug=CONFIDENTIAL_SLUG)  # Stavanger kommune's listing
    number = service.organisation.municipality_id
    url = f"/services/{service.slug}/"
    html = client.get(url).text
    assert "Kontaktpersonen er ikke publisert ennå." in html
    contact = StewardContact.objects.create(
        municipality_id=number, role="Koordinator for hjelpetilbud", email="k@example.invalid"
    )
    html = client.get(url).text
    assert "Stavanger kommune har ansvaret" in html
    assert "Koordinator for hjelpetilbud" in html and "mailto:k@example.invalid" in html
    contact.is_published = False
    contact.save()
    assert "Koordinator for hjelpetilbud" not in client.get(url).text
    # A national organisation's listing answers to the national contact.
    national = Service.objects.published().filter(organisation__municipality=None).first()
    StewardContact.objects.create(municipality=None, role="Nasjonal koordinator")
    html = client.get(f"/services/{national.slug}/").text
    assert "Oppføringen er en del av den nasjonale oversikten." in html
    assert "Nasjonal koordinator" in html


def test_an_unpublished_or_unknown_service_page_is_not_found(client):
    draft = Service.objects.exclude(status=Service.Status.PUBLISHED).first()
    assert client.get(f"/services/{draft.slug}/").status_code == 404
    assert client.get("/services/finnes-ikke/").status_code == 404
