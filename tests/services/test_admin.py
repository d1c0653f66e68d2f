import pytest

from services.models import ErrorReport, Service

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/services/service/",
        "/admin/services/service/?status__exact=published&is_emergency__exact=1",
        "/admin/services/service/?q=krisesenter",
        "/admin/services/organisation/",
        "/admin/services/municipality/?q=Sortland",
        "/admin/services/category/",
        "/admin/services/targetgroup/",
        "/admin/services/errorreport/",
        "/admin/services/service/add/",
    ],
)
def test_the_coordinator_admin_pages_open(coordinator_client, url):
    assert coordinator_client.get(url).status_code == 200


def test_the_service_form_shows_phones_locations_and_hours(coordinator_client):
    service = Service.objects.get(slug="demo-stavanger-trygg-bolig")
    response = coordinator_client.get(f"/admin/services/service/{service.pk}/change/")
    html = response.content.decode()
    assert response.status_code == 200
    for prefix in ["phones-TOTAL_FORMS", "locations-TOTAL_FORMS", "opening_hours-TOTAL_FORMS"]:
        assert prefix in html
    assert "Skjermveien 12" in html  # coordinators may see and edit the confidential street


def test_admin_search_finds_a_service_by_name(coordinator_client):
    response = coordinator_client.get("/admin/services/service/?q=Vesterålen")
    assert "Krisesenteret i Vesterålen" in response.content.decode()


def test_a_coordinator_can_edit_a_listing_with_its_inlines(coordinator_client):
    service = Service.objects.get(slug="demo-stavanger-trygg-bolig")
    url = f"/admin/services/service/{service.pk}/change/"
    form = coordinator_client.get(url).context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form.initial.get(name, field.initial)
        if hasattr(value, "__iter__") and not isinstance(value, str | dict):
            data[name] = [getattr(v, "pk", v) for v in value]
        elif value is not None:
            data[name] = value.pk if hasattr(value, "pk") else value
    data["name"] = "Trygg bolig (endret)"
    data["who_may_refer"] = "[]"
    data["extra_source_urls"] = "[]"
    data["desk_check"] = "null"
    for prefix, rows in [
        ("phones", []),
        ("locations", list(service.locations.all())),
        ("opening_hours", list(service.opening_hours.all())),
    ]:
        data[f"{prefix}-TOTAL_FORMS"] = len(rows)
        data[f"{prefix}-INITIAL_FORMS"] = len(rows)
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = row.pk
            data[f"{prefix}-{i}-service"] = service.pk
            for field in ["kind", "street", "postal_code", "city", "note_nb", "note_en", "weekday"]:
                if hasattr(row, field):
                    data[f"{prefix}-{i}-{field}"] = getattr(row, field)
            if hasattr(row, "municipality_id"):
                data[f"{prefix}-{i}-municipality"] = row.municipality_id or ""
                data[f"{prefix}-{i}-is_confidential"] = "on" if row.is_confidential else ""
            if hasattr(row, "opens"):
                data[f"{prefix}-{i}-opens"] = row.opens.strftime("%H:%M")
                data[f"{prefix}-{i}-closes"] = row.closes.strftime("%H:%M")
    data = {k: v for k, v in data.items() if v is not False}
    response = coordinator_client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Service.objects.get(pk=service.pk).name == "Trygg bolig (endret)"


def test_error_reports_are_listed_for_the_coordinator(coordinator_client):
    service = Service.objects.get(slug="oslo-krisesenter")
    ErrorReport.objects.create(service=service, message="Telefonnummeret er feil")
    response = coordinator_client.get("/admin/services/errorreport/")
    assert "Oslo Krisesenter" in response.content.decode()
