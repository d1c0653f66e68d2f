import copy
import json

import pytest
from django.core.management import CommandError, call_command

from services.demo import ensure_coordinator
from services.models import Location, Municipality, Organisation, PendingChange, Service
from tests.services.test_one_path import approve_and_check_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue_data(settings):
    from tests.conftest import FIXTURES

    return json.loads((FIXTURES / "catalogue.json").read_text(encoding="utf-8"))


@pytest.fixture
def write_catalogue(tmp_path):
    from tests.conftest import FIXTURES

    def write(data):
        path = tmp_path / "catalogue.json"
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        (tmp_path / "municipalities.json").write_text(
            (FIXTURES / "municipalities.json").read_text(encoding="utf-8"), encoding="utf-8"
        )
        return path

    return write


def snapshot():
    return {
        s.slug: (s.updated_at, s.name, tuple(s.categories.values_list("slug", flat=True)))
        for s in Service.objects.prefetch_related("categories")
    }


def test_the_demo_catalogue_loads_every_record():
    assert Municipality.objects.count() == 357
    assert Organisation.objects.count() == 40
    assert Service.objects.count() == 73
    assert Service.objects.published().count() == 71


def test_loading_twice_changes_nothing(capsys):
    before = snapshot()
    call_command("load_catalogue")
    assert snapshot() == before
    assert "Nothing changed." in capsys.readouterr().out


def test_loading_after_one_service_changed_updates_only_that_service(
    catalogue_data, write_catalogue
):
    before = snapshot()
    target = catalogue_data["services"][3]
    old_pk = Service.objects.get(slug=target["slug"]).pk
    target["name"] = "Et nytt navn"
    target["categories"] = ["rus"]
    call_command("load_catalogue", str(write_catalogue(catalogue_data)), verbosity=0)

    after = snapshot()
    changed = {slug for slug in after if after[slug] != before[slug]}
    assert changed == {target["slug"]}
    service = Service.objects.get(slug=target["slug"])
    assert service.pk == old_pk
    assert service.name == "Et nytt navn"
    assert list(service.categories.values_list("slug", flat=True)) == ["rus"]


def test_a_changed_phone_alone_counts_as_an_update(catalogue_data, write_catalogue, capsys):
    target = next(
        s for s in catalogue_data["services"] if s["contact"]["phones"] and not s["is_emergency"]
    )
    target["contact"]["phones"][0]["number"] = "800 00 000"
    call_command("load_catalogue", str(write_catalogue(catalogue_data)))
    assert "services: 73 (0 created, 1 updated, 72 unchanged)" in capsys.readouterr().out
    assert Service.objects.get(slug=target["slug"]).phones.first().number == "800 00 000"


def test_loading_other_numbers_for_an_emergency_listing_asks_a_coordinator_once(
    catalogue_data, write_catalogue, capsys
):
    target = next(s for s in catalogue_data["services"] if s["slug"] == "overgrepsmottaket-oslo")
    target["contact"]["phones"][0]["number"] = "800 00 000"
    target["contact"]["website"] = "https://example.invalid/falsk"
    path = write_catalogue(catalogue_data)
    call_command("load_catalogue", str(path))
    call_command("load_catalogue", str(path))
    assert "1 changes to emergency listings wait" in capsys.readouterr().out
    service = Service.objects.get(slug="overgrepsmottaket-oslo")
    assert [p.number for p in service.phones.all()] == ["116 117"]
    assert service.website != "https://example.invalid/falsk"
    change = PendingChange.objects.get(service=service, status="pending")  # one, not two
    assert change.created_by is None
    assert change.proposed["phones"][0]["number"] == "800 00 000"
    assert change.proposed["website"] == "https://example.invalid/falsk"
    approver = ensure_coordinator("k-oslo", "pw", first_name="O", municipalities=["0301"])
    after = approve_and_check_history(change, approver)
    assert [p.number for p in after.phones.all()] == ["800 00 000"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (
            lambda d: d["services"][5].update(organisation="finnes-ikke"),
            "field 'organisation': unknown organisation 'finnes-ikke'",
        ),
        (
            lambda d: d["services"][5].update(coverage={"municipalities": ["9999"]}),
            "field 'municipalities': unknown municipality number '9999'",
        ),
        (
            lambda d: d["services"][5].update(status="live"),
            "field 'status': 'live' is not one of draft, published, archived",
        ),
        (
            lambda d: d["services"][5].update(
                hours=[{"days": ["man"], "opens": "08:00", "closes": "16:00"}]
            ),
            "field 'days': 'man' is not one of mon",
        ),
        (
            lambda d: d["services"][5].update(
                hours=[{"days": ["mon"], "opens": "8", "closes": "16:00"}]
            ),
            "field 'opens': '8' is not a time HH:MM",
        ),
        (
            lambda d: d["services"][5]["contact"].update(phones=[{"number": "ring oss"}]),
            "field 'number': 'ring oss' is not a phone number",
        ),
        (
            lambda d: d["services"][5].pop("description_nb"),
            "field 'description_nb': is missing",
        ),
    ],
)
def test_a_bad_file_names_the_record_and_field_and_writes_nothing(
    catalogue_data, write_catalogue, mutate, message
):
    slug = catalogue_data["services"][5]["slug"]
    catalogue_data["services"][0]["name"] = "Skulle ikke lagres"
    mutate(catalogue_data)
    before = snapshot()
    with pytest.raises(CommandError) as excinfo:
        call_command("load_catalogue", str(write_catalogue(catalogue_data)), verbosity=0)
    assert f"services[5] ({slug})" in str(excinfo.value)
    assert message in str(excinfo.value)
    assert "Nothing was loaded" in str(excinfo.value)
    assert snapshot() == before


def test_a_file_that_is_not_json_gets_a_clear_error(tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text("{ not json", encoding="utf-8")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("load_catalogue", str(path), verbosity=0)


def test_a_missing_file_gets_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="file not found"):
        call_command("load_catalogue", str(tmp_path / "nope.json"), verbosity=0)


def test_the_desk_check_is_provenance_not_verification():
    service = Service.objects.get(slug="oslo-krisesenter")
    assert service.desk_check["checked_on"] == "2026-11-22"
    assert service.last_verified_at is None


def test_the_confidential_address_is_flagged():
    location = Location.objects.get(service__slug="demo-stavanger-trygg-bolig")
    assert location.is_confidential
    assert location.public_street == ""
    assert location.street == "Skjermveien 12"


def test_ids_are_stable_across_reloads(catalogue_data, write_catalogue):
    ids = dict(Service.objects.values_list("slug", "uuid"))
    Service.objects.filter(slug="oslo-krisesenter").delete()
    call_command("load_catalogue", str(write_catalogue(copy.deepcopy(catalogue_data))), verbosity=0)
    assert dict(Service.objects.values_list("slug", "uuid")) == ids


def test_a_new_emergency_listing_loaded_into_a_catalogue_with_listings_waits_to_go_public(
    catalogue_data, write_catalogue
):
    source = next(s for s in catalogue_data["services"] if s["slug"] == "overgrepsmottaket-oslo")
    catalogue_data["services"].append(
        {**copy.deepcopy(source), "slug": "nytt-overgrepsmottak", "name": "Nytt mottak"}
    )
    call_command("load_catalogue", str(write_catalogue(catalogue_data)), verbosity=0)
    new = Service.objects.get(slug="nytt-overgrepsmottak")
    assert new.status == Service.Status.DRAFT
    change = PendingChange.objects.get(service=new, status="pending")
    assert change.proposed == {"status": "published"}
    approver = ensure_coordinator("k-oslo", "pw", first_name="O", municipalities=["0301"])
    assert approve_and_check_history(change, approver).status == Service.Status.PUBLISHED
