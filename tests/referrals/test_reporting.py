"""Error reports never carry case data."""

import sys

import pytest
from django.test import RequestFactory
from django.views.debug import ExceptionReporter, get_default_exception_reporter_filter

from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_error_reports_hide_posted_case_fields_and_case_objects(caseworker_a):
    request = RequestFactory().post(
        "/referrals/cases/new/",
        {
            "person_name": "Kari Nordmann",
            "safe_times": "Etter klokka 16",
            "csrfmiddlewaretoken": "t",
        },
    )
    request.user = caseworker_a
    case = CaseFactory(created_by=caseworker_a)  # noqa: F841  (a local the report would show)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        report = ExceptionReporter(request, *sys.exc_info()).get_traceback_text()
    assert "boom" in report
    assert "Kari" not in report
    assert "Etter klokka" not in report


def test_the_filter_is_the_default_one():
    from referrals.reporting import CaseDataExceptionReporterFilter

    assert isinstance(get_default_exception_reporter_filter(), CaseDataExceptionReporterFilter)


def test_referral_views_mark_post_parameters_sensitive(client, caseworker_a):
    from tests.factories import login

    login(client, caseworker_a)
    response = client.post("/referrals/cases/new/", {"person_name": "Kari"})
    assert response.wsgi_request.sensitive_post_parameters == "__ALL__"
