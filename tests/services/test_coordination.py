"""Keeping listings current: review links by real e-mail, suggestions, insights, CSV, demo."""

import re
from datetime import date, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from services import coordination, insights, spreadsheet
from services.demo import create_accounts, ensure_coordinator
from services.models import (
    ChangeSuggestion,
    Organisation,
    PendingChange,
    ReviewToken,
    Service,
    UnansweredSearch,
)
from tests.factories import login, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def oslo_coordinator():
    return ensure_coordinator("koordinator-oslo", "pw", first_name="Oslo", municipalities=["0301"])


def listing(slug):
    return Service.objects.select_related("organisation").get(slug=slug)


def run_reminders() -> str:
    from io import StringIO

    out = StringIO()
    call_command("send_review_reminders", stdout=out)
    return out.getvalue()


def test_review_reminders_go_by_real_smtp_once_per_due_period(smtp, client):
    jurk = Organisation.objects.get(slug="jurk")
    jurk.email = "post@jurk.example"
    jurk.save()

    output = run_reminders()
    assert len(smtp.messages) == 1
    assert smtp.messages[0]["to"] == ["post@jurk.example"]
    body = smtp.messages[0]["body"]
    assert "JURK" in body
    links = re.findall(r"http://\S+/review/(\S+)/", body)
    assert len(links) == 1
    assert "e-mailed JURK" in output

    # Idempotent: the same due period is not reminded twice.
    run_reminders()
    assert len(smtp.messages) == 1

    # The link confirms the listing once; that stamps the review.
    page = client.get(f"/review/{links[0]}/")
    assert page.status_code == 200
    assert "JURK" in page.content.decode()
    response = client.post(f"/review/{links[0]}/", {"action": "confirm"})
    assert response.status_code == 200
    service = listing("jurk")
    assert service.last_verified_at is not None
    assert service not in Service.objects.review_due()
    assert client.post(f"/review/{links[0]}/", {"action": "confirm"}).status_code == 410


def test_organisations_without_a_contact_address_are_listed_for_the_coordinator(smtp):
    output = run_reminders()
    assert smtp.messages == []  # the demo catalogue has no contact addresses
    assert "No contact address" in output
    assert "JURK" in output
    assert "[jurk]" in output


def test_a_tampered_or_expired_review_link_is_refused(client, monkeypatch):
    token = coordination.review_link_issue(service=listing("jurk"), email="a@b.example")
    assert client.get(f"/review/{token}x/").status_code == 410
    monkeypatch.setattr(coordination, "REVIEW_LINK_MAX_AGE", -1)
    assert client.get(f"/review/{token}/").status_code == 410
    assert listing("jurk").last_verified_at is None


def test_a_review_link_can_propose_changes_for_the_coordinator(client):
    service = listing("jurk")
    token = coordination.review_link_issue(service=service, email="a@b.example")
    data = {f: getattr(service, f) for f in coordination.SUGGESTION_FIELDS}
    data.update(action="suggest", website="https://jurk.no", note="Ny nettside")
    assert client.post(f"/review/{token}/", data).status_code == 200
    suggestion = ChangeSuggestion.objects.get(service=service)
    assert suggestion.proposed == {"website": "https://jurk.no"}
    assert listing("jurk").website == ""  # nothing changes before a coordinator approves
    assert ReviewToken.objects.get(service=service).used_for == "suggest"


def test_agency_staff_suggest_changes_to_their_own_listing_only(client):
    member = staff("alice", "oslo-kommune", ["demo-oslo-voldskoordinator"])
    login(client, member)  # with its second factor, as every staff page needs
    own = listing("demo-oslo-voldskoordinator")
    data = {f: getattr(own, f) for f in coordination.SUGGESTION_FIELDS}
    data["hours_note_nb"] = "Hverdager 8–15"
    response = client.post(f"/suggest/{own.slug}/", data)
    assert response.status_code == 302
    assert ChangeSuggestion.objects.get(service=own).proposed == {"hours_note_nb": "Hverdager 8–15"}
    assert client.get(f"/suggest/{own.slug}/").status_code == 200
    assert client.get("/suggest/demo-stavanger-trygg-bolig/").status_code == 404


def test_the_suggestion_page_asks_anonymous_visitors_to_log_in(client):
    response = client.get("/suggest/demo-oslo-voldskoordinator/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_approving_a_suggestion_needs_a_steward(oslo_coordinator):
    stavanger = listing("demo-stavanger-trygg-bolig")
    suggestion = ChangeSuggestion.objects.create(service=stavanger, proposed={"email": "a@b.no"})
    with pytest.raises(PermissionDenied):
        coordination.suggestion_approve(suggestion=suggestion, user=oslo_coordinator)


def test_a_second_approval_cannot_come_from_the_proposer_or_another_municipality(
    oslo_coordinator,
):
    stavanger = ensure_coordinator("k-stavanger", "pw", first_name="S", municipalities=["1103"])
    emergency = listing("overgrepsmottaket-oslo")
    change = coordination.phones_change(
        service=emergency, user=oslo_coordinator, phones=[{"number": "22 11 11 11"}]
    )
    assert isinstance(change, PendingChange)
    for user in [oslo_coordinator, stavanger]:
        with pytest.raises(PermissionDenied):
            coordination.pending_change_approve(change=change, user=user)
    second_oslo = ensure_coordinator("k-oslo-2", "pw", first_name="O", municipalities=["0301"])
    coordination.pending_change_approve(change=change, user=second_oslo)
    assert [p.number for p in emergency.phones.all()] == ["22 11 11 11"]


def test_unanswered_searches_keep_only_normalised_text_and_a_weekly_count():
    insights.record_unanswered_search("  Hjelp med  GJELD, ring 99887766 ola@example.no ")
    row = UnansweredSearch.objects.get()
    assert row.query == "hjelp med gjeld ring"  # no phone number, no e-mail address
    assert row.count == 1
    assert re.fullmatch(r"\d{4}-W\d{2}", row.week)
    assert {f.name for f in UnansweredSearch._meta.fields} == {
        "id",
        "query",
        "municipality",
        "week",
        "count",
        "week_start",
    }


def test_repeated_unanswered_searches_count_up_within_the_week():
    for _ in range(3):
        insights.record_unanswered_search("Bostøtte")
    assert UnansweredSearch.objects.get().count == 3


def test_unanswered_searches_older_than_90_days_are_deleted():
    today = date(2026, 11, 22)
    UnansweredSearch.objects.create(
        query="gammel", week="2026-W30", week_start=today - timedelta(days=120), count=2
    )
    UnansweredSearch.objects.create(
        query="ny", week="2026-W46", week_start=today - timedelta(days=7), count=1
    )
    assert insights.purge_unanswered_searches(today) == 1
    assert list(UnansweredSearch.objects.values_list("query", flat=True)) == ["ny"]


def test_the_csv_export_holds_only_the_coordinators_listings(oslo_coordinator):
    text = spreadsheet.export_csv(coordination.services_for(oslo_coordinator))
    assert "jurk" in text
    assert "demo-stavanger-trygg-bolig" not in text
    assert text.splitlines()[0].lstrip("\ufeff").startswith("slug,organisation,status")


def test_a_csv_import_reports_row_errors_and_writes_nothing(oslo_coordinator):
    text = spreadsheet.export_csv(coordination.services_for(oslo_coordinator))
    text = text.replace("JURK – Juridisk rådgivning for kvinner", "JURK (ny)")
    text += "demo-stavanger-trygg-bolig,stavanger-kommune,published,nei,Kapret,,x,,,,,,,,,182,\n"
    text += "ny-tjeneste,jurk,sometimes,nei,Ny,,Beskrivelse,,,,,,,,,182,\n"
    report = spreadsheet.validate(text, user=oslo_coordinator)
    assert report.has_errors
    errors = {row.slug: row.errors for row in report.rows if row.errors}
    assert set(errors) == {"demo-stavanger-trygg-bolig", "ny-tjeneste"}
    with pytest.raises(ValueError):
        spreadsheet.apply(report, user=oslo_coordinator)
    assert listing("jurk").name == "JURK – Juridisk rådgivning for kvinner"


def test_a_valid_csv_import_applies_and_emergency_phones_wait_for_approval(oslo_coordinator):
    text = spreadsheet.export_csv(coordination.services_for(oslo_coordinator))
    text = text.replace("JURK – Juridisk rådgivning for kvinner", "JURK (ny)")
    text = text.replace("116 117 | Legevakten", "22 00 00 00 | Legevakten")
    report = spreadsheet.validate(text, user=oslo_coordinator)
    assert not report.has_errors
    assert {row.slug for row in report.changed_rows} == {"jurk", "overgrepsmottaket-oslo"}
    result = spreadsheet.apply(report, user=oslo_coordinator)
    assert result == {"created": 0, "updated": 2, "pending": 1}
    assert listing("jurk").name == "JURK (ny)"
    assert [p.number for p in listing("overgrepsmottaket-oslo").phones.all()] == ["116 117"]


def test_the_csv_import_pages_preview_before_they_apply(client, oslo_coordinator):
    login(client, oslo_coordinator)
    text = spreadsheet.export_csv(coordination.services_for(oslo_coordinator))
    text = text.replace("JURK – Juridisk rådgivning for kvinner", "JURK (ny)")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("tjenester.csv", text.encode(), content_type="text/csv")
    preview = client.post("/admin/services/service/import/", {"file": upload})
    assert preview.status_code == 200
    assert "JURK (ny)" in preview.content.decode()
    assert listing("jurk").name != "JURK (ny)"
    done = client.post("/admin/services/service/import/", {"confirm": "1"})
    assert done.status_code == 302
    assert listing("jurk").name == "JURK (ny)"


def test_the_public_page_names_who_keeps_the_listing_current(client):
    create_accounts("pw")
    html = client.get(f"/services/{listing('jurk').slug}/").text
    assert "Koordinator for hjelpetilbud, Oslo kommune" in html
    assert "hjelpetilbud@oslo.kommune.example" in html
    national = client.get(f"/services/{listing('medisinsk-nodtelefon-113').slug}/").text
    assert "Nasjonal koordinator" in national


def test_the_demo_coordinators_are_scoped_and_none_is_a_superuser():
    create_accounts("pw")
    users = get_user_model().objects.filter(username__startswith="koordinator-")
    assert {u.username for u in users} == {
        "koordinator-oslo",
        "koordinator-stavanger",
        "koordinator-nasjonal",
    }
    assert not any(u.is_superuser for u in users)
    assert all(u.is_staff and u.has_perm("services.change_service") for u in users)
    nasjonal = users.get(username="koordinator-nasjonal")
    assert coordination.scope_of(nasjonal).national
    stavanger = users.get(username="koordinator-stavanger")
    assert coordination.scope_of(stavanger).municipalities == {"1103"}


def test_unpublishing_an_emergency_listing_does_not_open_a_way_around_the_second_approval(
    oslo_coordinator,
):
    emergency = listing("overgrepsmottaket-oslo")
    coordination.service_unpublish(service=emergency, user=oslo_coordinator)
    emergency.is_emergency = False
    emergency.save()
    change = coordination.phones_change(
        service=emergency, user=oslo_coordinator, phones=[{"number": "22 11 11 11"}]
    )
    assert isinstance(change, PendingChange)
    assert [p.number for p in emergency.phones.all()] == ["116 117"]


def test_a_new_listing_never_published_as_emergency_takes_phone_changes_at_once(
    oslo_coordinator,
):
    ordinary = listing("jurk")
    assert (
        coordination.phones_change(
            service=ordinary, user=oslo_coordinator, phones=[{"number": "22 84 29 51"}]
        )
        is None
    )
    assert [p.number for p in ordinary.phones.all()] == ["22 84 29 51"]
