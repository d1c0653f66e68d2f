"""Emergency listings: every writer takes coordination's path, and no module writes around it.

For each writer (admin, CSV import, HSDS import, agencies' suggestions, review links; the
catalogue loader is in test_loader.py) a change to a published emergency listing's critical
facts waits for a second coordinator, and the approval is written to the history.
"""

import ast
import json
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management import call_command

from services import coordination, spreadsheet
from services.demo import ensure_coordinator
from services.hsds.importer import import_path
from services.models import ChangeSuggestion, Organisation, PendingChange, Phone, Service
from tests.factories import login, staff
from tests.services.test_admin_scope import form_data

pytestmark = pytest.mark.django_db

EMERGENCY = "overgrepsmottaket-oslo"


@pytest.fixture
def oslo_user():
    return ensure_coordinator("koordinator-oslo", "pw", first_name="Oslo", municipalities=["0301"])


@pytest.fixture
def second_user():
    return ensure_coordinator(
        "koordinator-oslo-2", "pw", first_name="Oslo", municipalities=["0301"]
    )


@pytest.fixture
def oslo(client, oslo_user):
    return login(client, oslo_user)


def listing(slug=EMERGENCY) -> Service:
    return Service.objects.select_related("organisation").get(slug=slug)


def numbers(service) -> list[str]:
    return list(service.phones.values_list("number", flat=True))


def the_waiting_change(service) -> PendingChange:
    return PendingChange.objects.get(service=service, status=PendingChange.Status.PENDING)


def approve_and_check_history(change, approver) -> Service:
    """The second coordinator approves; the listing's history names them and the change."""
    coordination.pending_change_approve(change=change, user=approver)
    change.refresh_from_db()
    assert change.status == PendingChange.Status.APPROVED and change.decided_by == approver
    service = Service.objects.get(pk=change.service_id)
    if set(change.proposed) & set(coordination.PROTECTED_FIELDS):
        latest = service.history.order_by("-history_date", "-history_id").first()
        assert latest.history_user == approver
        assert latest.history_change_reason == f"second approval of change {change.pk}"
    if "phones" in change.proposed:
        assert Phone.history.filter(service_id=service.pk, history_user=approver).exists()
    return service


# --- admin ------------------------------------------------------------------------------


def test_archiving_an_emergency_listing_in_the_admin_waits_for_a_second_coordinator(
    oslo, second_user
):
    service = listing()
    response = oslo.post(
        "/admin/services/service/", {"action": "archive", "_selected_action": [service.pk]}
    )
    assert response.status_code == 302
    assert listing().status == Service.Status.PUBLISHED
    change = the_waiting_change(service)
    assert change.proposed == {"status": "archived"}
    assert approve_and_check_history(change, second_user).status == Service.Status.ARCHIVED


def test_the_admin_edit_of_an_emergency_listings_website_and_flag_waits(oslo, second_user):
    service = listing()
    url = f"/admin/services/service/{service.pk}/change/"
    data = form_data(oslo.get(url))
    data["website"] = "https://falsk.example"
    data.pop("is_emergency")
    data["description_nb"] = "Ny beskrivelse"
    assert oslo.post(url, data).status_code == 302
    after = listing()
    assert after.description_nb == "Ny beskrivelse"  # the rest is saved at once
    assert after.website == service.website and after.is_emergency
    change = the_waiting_change(service)
    assert change.proposed == {"is_emergency": False, "website": "https://falsk.example"}
    after = approve_and_check_history(change, second_user)
    assert after.website == "https://falsk.example" and not after.is_emergency


def test_a_new_emergency_listing_from_the_admin_add_form_is_published_only_on_approval(
    oslo, second_user
):
    data = form_data(oslo.get("/admin/services/service/add/"))
    data.update(
        name="Ny akuttlinje",
        slug="ny-akuttlinje",
        organisation=Organisation.objects.get(slug="oslo-kommune").pk,
        status="published",
        is_emergency="on",
        description_nb="Erstatter overgrepsmottaket",
        review_interval_days=182,
        hours_mode="always",
        **{"phones-TOTAL_FORMS": 1, "phones-0-number": "22 33 44 55", "phones-0-position": 0},
    )
    response = oslo.post("/admin/services/service/add/", data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    new = listing("ny-akuttlinje")
    assert new.status == Service.Status.DRAFT and numbers(new) == ["22 33 44 55"]
    change = the_waiting_change(new)
    assert change.proposed == {"status": "published"}
    rows = coordination.pending_change_rows(change)
    assert ("Telefonnumre", "22 33 44 55", "22 33 44 55") in rows  # what goes public
    assert approve_and_check_history(change, second_user).status == Service.Status.PUBLISHED


def test_deleting_an_emergency_listing_waits_and_its_organisation_cannot_be_deleted(
    coordinator_client, oslo_user
):
    service = listing()
    url = f"/admin/services/service/{service.pk}/delete/"
    assert coordinator_client.post(url, {"post": "yes"}).status_code == 302
    assert Service.objects.filter(pk=service.pk).exists()
    change = the_waiting_change(service)
    assert change.proposed == {"delete": True}
    organisation = service.organisation
    response = coordinator_client.get(f"/admin/services/organisation/{organisation.pk}/delete/")
    assert response.status_code == 403
    coordination.pending_change_approve(change=change, user=oslo_user)
    assert not Service.objects.filter(pk=service.pk).exists()
    deleted = Service.history.get(id=service.pk, history_type="-")
    assert deleted.history_user == oslo_user


def test_reverting_an_emergency_listing_to_an_old_version_in_the_admin_waits(
    oslo, oslo_user, second_user
):
    service = listing()
    old_version = service.history.order_by("history_date").last()
    service.website = "https://ny.example"
    change = coordination.service_save(service=service, user=oslo_user)
    coordination.pending_change_approve(change=change, user=second_user)
    url = f"/admin/services/service/{service.pk}/history/{old_version.history_id}/"
    data = form_data(oslo.get(url))
    assert oslo.post(url, data).status_code == 302
    assert listing().website == "https://ny.example"
    assert the_waiting_change(service).proposed == {"website": old_version.website}


def test_the_dashboard_shows_a_change_an_import_asked_for(oslo):
    service = listing()
    service.chat_url = "https://chat.example"
    coordination.service_save(service=service, user=None)
    html = oslo.get("/admin/services/service/dashboard/").content.decode()
    assert "Endringer av akuttoppføringer som venter på godkjenning" in html
    assert "foreslått av en import" in html


# --- CSV import -------------------------------------------------------------------------


def test_a_csv_import_archiving_one_and_publishing_a_new_emergency_listing_waits(
    oslo_user, second_user
):
    text = spreadsheet.export_csv(coordination.services_for(oslo_user))
    old_row = f"{EMERGENCY},oslo-kommune,published,ja,"
    assert old_row in text
    text = text.replace(old_row, f"{EMERGENCY},oslo-kommune,archived,ja,")
    text += "ny-akutt,oslo-kommune,published,ja,Ny akuttlinje,,Ny,,,,,,,22 33 44 55,,182,\n"
    report = spreadsheet.validate(text, user=oslo_user)
    assert not report.has_errors, [(r.slug, r.errors) for r in report.rows if r.errors]
    assert spreadsheet.apply(report, user=oslo_user) == {"created": 1, "updated": 1, "pending": 2}
    assert listing().status == Service.Status.PUBLISHED
    assert listing("ny-akutt").status == Service.Status.DRAFT
    approve_and_check_history(the_waiting_change(listing()), second_user)
    approve_and_check_history(the_waiting_change(listing("ny-akutt")), second_user)
    assert listing().status == Service.Status.ARCHIVED
    assert listing("ny-akutt").status == Service.Status.PUBLISHED


# --- HSDS import ------------------------------------------------------------------------


def test_an_hsds_import_of_other_numbers_for_a_former_emergency_listing_waits(
    tmp_path, oslo_user, second_user
):
    call_command("export_hsds", str(tmp_path), verbosity=0)
    service = listing()
    doc = next(
        d
        for d in json.loads((tmp_path / "services.json").read_text())
        if d["id"] == str(service.uuid)
    )
    # Unpublished with a second approval: still an emergency listing that was public.
    change = coordination.service_unpublish(service=service, user=oslo_user)
    coordination.pending_change_approve(change=change, user=second_user)
    doc["phones"] = [{**doc["phones"][0], "number": "22 99 99 99"}]
    doc["url"] = "https://falsk.example"
    (tmp_path / "one.json").write_text(json.dumps([doc]))

    report = import_path(tmp_path / "one.json")
    assert report.problems == [] and report.pending == 1
    assert numbers(listing()) == ["116 117"] and listing().website == service.website
    change = the_waiting_change(service)
    assert change.created_by is None
    assert change.proposed["phones"][0]["number"] == "22 99 99 99"
    after = approve_and_check_history(change, oslo_user)
    assert numbers(after) == ["22 99 99 99"] and after.website == "https://falsk.example"


# --- agencies' suggestions and review links -----------------------------------------------


def test_an_agencys_suggested_website_for_an_emergency_listing_needs_a_second_coordinator(
    oslo_user, second_user
):
    member = staff("alice", "oslo-kommune", [EMERGENCY])
    suggestion = coordination.suggestion_create(
        service=listing(), user=member, proposed={"website": "https://ny.example"}
    )
    coordination.suggestion_approve(suggestion=suggestion, user=oslo_user)
    assert listing().website != "https://ny.example"
    change = the_waiting_change(listing())
    assert change.proposed == {"website": "https://ny.example"} and change.created_by == oslo_user
    assert approve_and_check_history(change, second_user).website == "https://ny.example"


def test_a_chat_link_proposed_through_a_review_link_needs_a_second_coordinator(
    oslo_user, second_user
):
    token = coordination.review_link_issue(service=listing(), email="post@example.invalid")
    coordination.review_link_suggest(signed_value=token, proposed={"chat_url": "https://c.example"})
    suggestion = ChangeSuggestion.objects.get(service=listing())
    coordination.suggestion_approve(suggestion=suggestion, user=oslo_user)
    assert listing().chat_url == ""
    change = the_waiting_change(listing())
    assert approve_and_check_history(change, second_user).chat_url == "https://c.example"


# --- the rules themselves ---------------------------------------------------------------


def test_an_approval_overtaken_by_another_change_is_refused(oslo_user, second_user):
    first = coordination.phones_change(
        service=listing(), user=oslo_user, phones=[{"number": "22 11 11 11"}]
    )
    other = coordination.phones_change(
        service=listing(), user=oslo_user, phones=[{"number": "22 22 22 22"}]
    )
    coordination.pending_change_approve(change=other, user=second_user)
    with pytest.raises(ValidationError):
        coordination.pending_change_approve(change=first, user=second_user)
    assert numbers(listing()) == ["22 22 22 22"]


def test_a_non_emergency_listing_changes_at_once(oslo_user):
    service = listing("jurk")
    service.website = "https://jurk.no"
    service.status = Service.Status.ARCHIVED
    assert coordination.service_save(service=service, user=oslo_user) is None
    assert listing("jurk").website == "https://jurk.no"
    assert listing("jurk").status == Service.Status.ARCHIVED


def test_initial_load_is_no_way_around_the_rules_on_a_catalogue_with_listings(
    oslo_user,
):
    service = listing()
    service.status = Service.Status.ARCHIVED
    with coordination.initial_load():
        assert coordination.service_save(service=service, user=oslo_user) is not None
    assert listing().status == Service.Status.PUBLISHED


# --- no module writes around coordination ----------------------------------------------

WRITES = {
    "create",
    "bulk_create",
    "update",
    "bulk_update",
    "update_or_create",
    "get_or_create",
    "delete",
    "add",
    "set",
    "remove",
    "clear",
    "save",
}
ALLOWED_FILES = {"services/coordination.py", "services/models.py"}


def _chain(node) -> list[str]:
    """The names along a call's receiver: `Service.objects.filter(...).update` → [...]."""
    names = []
    while True:
        if isinstance(node, ast.Call):
            node = node.func
        elif isinstance(node, ast.Attribute):
            names.append(node.attr)
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            if isinstance(node, ast.Name):
                names.append(node.id)
            return names


WRITING_HELPER_WORDS = ("upsert", "create", "update", "save", "sync", "write", "set")


def _writes_through_helper(call: ast.Call) -> bool:
    """`_upsert(Service, ...)`: a generic write helper handed the Service model."""
    name = getattr(call.func, "id", None) or getattr(call.func, "attr", "")
    return any(word in name.lower() for word in WRITING_HELPER_WORDS) and any(
        isinstance(arg, ast.Name) and arg.id in ("Service", "Phone") for arg in call.args
    )


def direct_writes(source: str) -> list[str]:
    """Lines of `source` that write Phone rows or a listing's status without coordination."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "Phone":
            found.append(f"{node.lineno}: builds a Phone row")
        if isinstance(node, ast.Call) and _writes_through_helper(node):
            found.append(f"{node.lineno}: writes Service through a generic helper")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            chain = _chain(node.func.value)
            method = node.func.attr
            if method in WRITES and ("phones" in chain or chain[-1:] == ["Phone"]):
                found.append(f"{node.lineno}: writes a listing's phones")
            splat = any(k.arg is None for k in node.keywords)
            status = any(k.arg == "status" for k in node.keywords)
            on_services = chain[-1:] == ["Service"] or "services" in chain
            if method in WRITES and on_services and (status or splat):
                found.append(f"{node.lineno}: writes Service.status")
            if method == "save" and any("service" in name.lower() for name in chain[:1]):
                found.append(f"{node.lineno}: saves a listing")
        if isinstance(node, ast.Assign | ast.AugAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Attribute) and target.attr == "status":
                    found.append(f"{node.lineno}: assigns .status")
        if (
            isinstance(node, ast.Call)
            and getattr(node.func, "id", "") == "setattr"
            and len(node.args) > 1
            and getattr(node.args[1], "value", None) == "status"
        ):
            found.append(f"{node.lineno}: sets .status")
    return found


def project_modules():
    root = Path(settings.BASE_DIR)
    for package in ["portal", "services", "referrals"]:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if "/migrations/" not in relative and relative not in ALLOWED_FILES:
                yield relative, path.read_text(encoding="utf-8")


def test_no_module_outside_coordination_writes_phones_or_a_listings_status():
    offenders = {
        name: lines for name, source in project_modules() if (lines := direct_writes(source))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "snippet",
    [
        "service.phones.all().delete()",
        "Phone.objects.bulk_create(rows)",
        "Phone(service=s, number='1').save()",
        "service.phones.create(number='112')",
        "Service.objects.filter(pk=1).update(status='archived')",
        "Service.objects.create(slug='x', **values)",
        "organisation.services.update(status='draft')",
        "service.status = 'archived'",
        "setattr(obj, 'status', 'archived')",
        "_upsert(Service, {'slug': slug}, values)",
        "existing_service.save()",
    ],
)
def test_the_scan_catches_each_way_of_writing_around_coordination(snippet):
    assert direct_writes(snippet) != []


@pytest.mark.parametrize(
    "snippet",
    [
        "Service.objects.filter(pk=1).update(updated_at=now)",
        "if formset.model is Phone: pass",
        "class PhoneInline:\n    model = Phone",
        "Referral.objects.filter(pk=1).update(status='sent')",
        "coordination.service_save(service=service, user=None)",
    ],
)
def test_the_scan_lets_reads_and_other_models_writes_pass(snippet):
    assert direct_writes(snippet) == []
