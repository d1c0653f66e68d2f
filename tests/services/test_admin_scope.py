"""The coordinator's admin: what a municipal coordinator can see and change, and what not."""

import pytest
from django.contrib.auth import get_user_model

from services.demo import ensure_coordinator
from services.models import (
    ChangeSuggestion,
    ErrorReport,
    Organisation,
    PendingChange,
    Service,
)
from tests.factories import login

pytestmark = pytest.mark.django_db

OSLO_LISTING = "jurk"  # organisation JURK, municipality 0301
STAVANGER_LISTING = "demo-stavanger-trygg-bolig"  # Stavanger, 1103


@pytest.fixture
def oslo(client):
    user = ensure_coordinator("koordinator-oslo", "pw", first_name="Oslo", municipalities=["0301"])
    return login(client, user)


@pytest.fixture
def national_user():
    return ensure_coordinator("koordinator-nasjonal", "pw", first_name="Nasjonal", national=True)


def service(slug):
    return Service.objects.select_related("organisation").get(slug=slug)


def form_data(response) -> dict:
    """POST data reproducing the admin change form as shown, inlines included."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        value = value() if callable(value) else value  # a model default such as `list`
        if name in ("who_may_refer", "extra_source_urls", "desk_check"):
            import json

            data[name] = json.dumps(value)
        elif hasattr(value, "__iter__") and not isinstance(value, str | dict):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value is None:
            continue
        elif value is True:
            data[name] = "on"
        elif value is False:
            continue
        else:
            data[name] = value.pk if hasattr(value, "pk") else value
    for inline in response.context.get("inline_admin_formsets", []):
        formset = inline.formset
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for sub in formset.initial_forms:
            for name, field in sub.fields.items():
                value = sub.initial.get(name, field.initial)
                if value is None or value is False:
                    continue
                if value is True:
                    value = "on"
                elif hasattr(value, "strftime"):
                    value = value.strftime("%H:%M")
                elif hasattr(value, "pk"):
                    value = value.pk
                data[sub.add_prefix(name)] = value
    return data


def test_a_municipal_coordinator_sees_only_the_listings_of_their_municipality(oslo):
    html = oslo.get("/admin/services/service/").content.decode()
    assert "JURK" in html
    assert "Trygg bolig" not in html
    assert "Medisinsk nødtelefon 113" not in html


def test_a_direct_url_to_another_municipalitys_listing_is_refused(oslo):
    other = service(STAVANGER_LISTING)
    for url in [
        f"/admin/services/service/{other.pk}/change/",
        f"/admin/services/service/{other.pk}/history/",
        f"/admin/services/organisation/{other.organisation_id}/change/",
    ]:
        response = oslo.get(url)
        assert response.status_code in (403, 404), url
        assert "Trygg bolig" not in response.content.decode()


def test_a_post_to_another_municipalitys_listing_changes_nothing(oslo):
    other = service(STAVANGER_LISTING)
    response = oslo.post(f"/admin/services/service/{other.pk}/change/", {"name": "Kapret"})
    assert response.status_code in (403, 404)
    assert service(STAVANGER_LISTING).name != "Kapret"


def test_actions_on_another_municipalitys_listing_do_nothing(oslo):
    other = service(STAVANGER_LISTING)
    oslo.post(
        "/admin/services/service/",
        {"action": "archive", "_selected_action": [other.pk]},
    )
    assert service(STAVANGER_LISTING).status == Service.Status.PUBLISHED


def test_the_organisation_choices_are_limited_to_the_coordinators_own(oslo):
    response = oslo.get(f"/admin/services/service/{service(OSLO_LISTING).pk}/change/")
    choices = response.context["adminform"].form.fields["organisation"].queryset
    assert set(choices.values_list("municipality", flat=True)) == {"0301"}


def test_a_national_coordinator_stewards_national_listings_only(client, national_user):
    login(client, national_user)
    html = client.get("/admin/services/service/").content.decode()
    assert "Medisinsk nødtelefon 113" in html
    assert "JURK" not in html
    assert (
        client.get(f"/admin/services/service/{service(OSLO_LISTING).pk}/change/").status_code == 403
    )


def test_the_review_due_filter_and_the_mark_verified_action(oslo):
    listing = service(OSLO_LISTING)
    html = oslo.get("/admin/services/service/?review=due").content.decode()
    assert "JURK" in html  # the demo catalogue is desk-checked, never verified
    response = oslo.post(
        "/admin/services/service/", {"action": "mark_verified", "_selected_action": [listing.pk]}
    )
    assert response.status_code == 302
    listing.refresh_from_db()
    assert listing.verified_by.username == "koordinator-oslo"
    assert listing.last_verified_at is not None
    assert "JURK" not in oslo.get("/admin/services/service/?review=due").content.decode()


def test_publish_and_archive_actions_decide_what_the_public_sees(oslo):
    listing = service(OSLO_LISTING)
    oslo.post("/admin/services/service/", {"action": "archive", "_selected_action": [listing.pk]})
    assert not Service.objects.published().filter(pk=listing.pk).exists()
    assert oslo.get(f"/services/{listing.slug}/").status_code == 404
    oslo.post("/admin/services/service/", {"action": "publish", "_selected_action": [listing.pk]})
    assert Service.objects.published().filter(pk=listing.pk).exists()


def test_a_coordinator_edits_their_own_listing_and_the_history_shows_who(oslo):
    listing = service(OSLO_LISTING)
    url = f"/admin/services/service/{listing.pk}/change/"
    data = form_data(oslo.get(url))
    data["website"] = "https://jurk.no"
    response = oslo.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert service(OSLO_LISTING).website == "https://jurk.no"
    latest = listing.history.latest()
    assert latest.history_user.username == "koordinator-oslo"
    history = oslo.get(f"/admin/services/service/{listing.pk}/history/").content.decode()
    assert "koordinator-oslo" in history


def test_a_phone_change_on_a_published_emergency_listing_waits_for_a_second_coordinator(
    oslo, client, national_user
):
    listing = service("overgrepsmottaket-oslo")
    assert listing.is_emergency and listing.status == "published"
    url = f"/admin/services/service/{listing.pk}/change/"
    data = form_data(oslo.get(url))
    data["phones-0-number"] = "22 99 99 99"
    response = oslo.post(url, data)
    assert response.status_code == 302
    assert [p.number for p in listing.phones.all()] == ["116 117"]  # old number stays public
    change = PendingChange.objects.get(service=listing, status="pending")
    assert change.proposed["phones"][0]["number"] == "22 99 99 99"

    # The proposer cannot approve their own change.
    oslo.post(f"/admin/services/pendingchange/{change.pk}/change/", {"_approve": "1"})
    assert [p.number for p in listing.phones.all()] == ["116 117"]

    # A national coordinator can.
    other = ensure_coordinator("koordinator-nasjonal", "pw", first_name="N", national=True)
    second = login(type(client)(), other)
    page = second.get(f"/admin/services/pendingchange/{change.pk}/change/").content.decode()
    assert "116 117" in page and "22 99 99 99" in page
    response = second.post(f"/admin/services/pendingchange/{change.pk}/change/", {"_approve": "1"})
    assert response.status_code == 302
    assert [p.number for p in listing.phones.all()] == ["22 99 99 99"]
    change.refresh_from_db()
    assert change.status == "approved" and change.decided_by == other


def test_a_phone_change_on_an_ordinary_listing_applies_at_once(oslo):
    listing = service(OSLO_LISTING)
    url = f"/admin/services/service/{listing.pk}/change/"
    data = form_data(oslo.get(url))
    data["phones-0-number"] = "22 84 29 51"
    assert oslo.post(url, data).status_code == 302
    assert [p.number for p in listing.phones.all()] == ["22 84 29 51"]
    assert not PendingChange.objects.exists()


def test_the_error_report_queue_is_scoped_to_the_steward(oslo):
    ErrorReport.objects.create(service=service(OSLO_LISTING), message="Nettstedet mangler")
    ErrorReport.objects.create(service=service(STAVANGER_LISTING), message="Feil adresse")
    html = oslo.get("/admin/services/errorreport/").content.decode()
    assert "JURK" in html
    assert "Trygg bolig" not in html


def test_resolving_an_error_report_records_who(oslo):
    report = ErrorReport.objects.create(service=service(OSLO_LISTING), message="Feil")
    oslo.post(
        "/admin/services/errorreport/", {"action": "resolve", "_selected_action": [report.pk]}
    )
    report.refresh_from_db()
    assert report.status == "resolved"
    assert report.handled_by.username == "koordinator-oslo"


def test_a_suggestion_is_shown_side_by_side_and_approval_applies_it(oslo):
    listing = service("demo-oslo-voldskoordinator")
    staff_user = get_user_model().objects.create_user("ansatt")
    suggestion = ChangeSuggestion.objects.create(
        service=listing,
        created_by=staff_user,
        proposed={"hours_note_nb": "Hverdager 8–15"},
    )
    url = f"/admin/services/changesuggestion/{suggestion.pk}/change/"
    page = oslo.get(url).content.decode()
    assert "Hverdager 8–15" in page
    assert "veiviser-old" in page and "veiviser-new" in page
    assert oslo.post(url, {"_approve": "1"}).status_code == 302
    listing.refresh_from_db()
    assert listing.hours_note_nb == "Hverdager 8–15"
    assert listing.history.latest().history_user.username == "koordinator-oslo"


def test_a_rejected_suggestion_changes_nothing(oslo):
    listing = service("demo-oslo-voldskoordinator")
    suggestion = ChangeSuggestion.objects.create(service=listing, proposed={"email": "x@y.example"})
    oslo.post(f"/admin/services/changesuggestion/{suggestion.pk}/change/", {"_reject": "1"})
    suggestion.refresh_from_db()
    assert suggestion.status == "rejected"
    assert service("demo-oslo-voldskoordinator").email == ""


def test_the_dashboard_shows_the_coordinators_work(oslo):
    from services.insights import record_unanswered_search

    for _ in range(3):  # rarer texts are not shown (they may be names)
        record_unanswered_search("Hjelp til  BOSTØTTE 12345678", "0301")
    ErrorReport.objects.create(service=service(OSLO_LISTING), message="Feil")
    response = oslo.get("/admin/services/service/dashboard/")
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["report_count"] == 1
    assert (
        response.context["overdue_count"]
        == Service.objects.published().filter(organisation__municipality="0301").count()
    )
    assert "hjelp til bostøtte" in html
    assert "12345678" not in html
    assert "Organisasjoner uten kontaktadresse" in html
    assert "JURK" in html
    assert "Henvisninger per tjeneste" in html


def test_the_dashboard_link_is_on_the_admin_index(oslo):
    assert "/admin/services/service/dashboard/" in oslo.get("/admin/").content.decode()


def test_coordinators_cannot_see_or_change_coordinator_assignments(oslo):
    assert oslo.get("/admin/services/coordinatorscope/").status_code == 403


def test_an_organisation_outside_the_scope_cannot_be_chosen_for_a_new_organisation(oslo):
    response = oslo.get("/admin/services/organisation/add/")
    municipalities = response.context["adminform"].form.fields["municipality"].queryset
    assert list(municipalities.values_list("number", flat=True)) == ["0301"]
    assert Organisation.objects.filter(municipality="1103").exists()


def test_a_listing_change_can_be_reverted_from_its_history(oslo):
    listing = service(OSLO_LISTING)
    url = f"/admin/services/service/{listing.pk}/change/"
    for website in ["https://jurk.no", "https://feil.example"]:
        data = form_data(oslo.get(url))
        data["website"] = website
        assert oslo.post(url, data).status_code == 302
    good = listing.history.filter(website="https://jurk.no").latest()
    history = oslo.get(f"/admin/services/service/{listing.pk}/history/").content.decode()
    assert "https://feil.example" in history  # what changed, not only that something did
    revert_url = f"/admin/services/service/{listing.pk}/history/{good.history_id}/"
    response = oslo.post(revert_url, form_data(oslo.get(revert_url)))
    assert response.status_code == 302
    assert service(OSLO_LISTING).website == "https://jurk.no"


def test_assigning_a_coordinator_makes_them_staff_in_the_coordinator_group(
    coordinator_client, django_user_model
):
    person = django_user_model.objects.create_user("ny-koordinator")
    response = coordinator_client.post(
        "/admin/services/coordinatorscope/add/",
        {"user": person.pk, "municipalities": ["1103"]},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.is_staff
    assert person.has_perm("services.change_service")


def test_turning_off_the_emergency_flag_in_the_same_save_does_not_skip_the_second_approval(oslo):
    listing = service("overgrepsmottaket-oslo")
    url = f"/admin/services/service/{listing.pk}/change/"
    data = form_data(oslo.get(url))
    data.pop("is_emergency", None)
    data["phones-0-number"] = "22 99 99 99"
    assert oslo.post(url, data).status_code == 302
    assert [p.number for p in listing.phones.all()] == ["116 117"]
    assert PendingChange.objects.filter(service=listing, status="pending").exists()
