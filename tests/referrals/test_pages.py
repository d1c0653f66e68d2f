"""Filing, following and answering referrals through the pages."""

import pytest
from django.urls import reverse

from referrals.forms import BIRTH_REQUIRED, CONSENT_FIELDS_REQUIRED, SERVICES_REQUIRED
from referrals.models import Case, Referral
from services.models import Category, Service
from tests.factories import CaseFactory, ReferralFactory, login

pytestmark = pytest.mark.django_db

CASE_DATA = {
    "person_name": "Kari Nordmann",
    "birth_year": "1985",
    "may_call": "on",
    "safe_times": "Etter klokka 16",
    "legal_basis": "consent",
    "consent_date": "2026-01-05",
    "consent_given_by": "Personen selv",
    "consent_scope": "Vold og rus",
}


def test_a_caseworker_files_a_case_and_refers_it_to_two_services(
    client, caseworker_a, caseworker_b
):
    login(client, caseworker_a)
    needs = [c.pk for c in Category.objects.filter(slug__in=["vold-i-naere-relasjoner", "rus"])]
    response = client.post(reverse("referrals:case_new"), {**CASE_DATA, "needs": needs})
    case = Case.objects.get()
    assert response["Location"] == reverse("referrals:case_refer", args=[case.public_id])
    page = client.get(response["Location"] + "?q=Sortland").content.decode()
    services = list(
        Service.objects.filter(slug__startswith="demo-sortland-").filter(
            accepts_electronic_referrals=True
        )
    )
    assert len(services) == 2
    for service in services:
        assert f'value="{service.pk}"' in page
    response = client.post(
        response["Location"] + "?q=Sortland",
        {
            "services": [s.pk for s in services],
            "urgency": "priority",
            "reason": "Vold og rus",
            "request": "Samtale",
            "send": "1",
        },
    )
    assert response.status_code == 302
    assert sorted(case.referrals.values_list("status", flat=True)) == ["sent", "sent"]
    outbox = client.get(reverse("referrals:outbox")).content.decode()
    assert outbox.count("Sendt") >= 2


def test_services_without_electronic_referrals_show_how_to_refer_instead(client, caseworker_a):
    login(client, caseworker_a)
    case = CaseFactory(created_by=caseworker_a)
    page = client.get(reverse("referrals:case_refer", args=[case.public_id]) + "?q=krisesenter")
    body = page.content.decode()
    assert "Tjenester du må henvise til på annen måte" in body
    # Only alice's own Oslo service has receiving staff in this test: nothing else can be ticked.
    offered = {pk for pk, _label in page.context["form"].fields["services"].choices}
    assert offered <= {Service.objects.get(slug="demo-oslo-voldskoordinator").pk}
    assert page.context["others"]
    assert all(
        not s.accepts_electronic_referrals or s.pk not in offered for s in page.context["others"]
    )


def test_bad_case_input_gets_messages_next_to_the_fields_and_keeps_what_was_typed(
    client, caseworker_a
):
    login(client, caseworker_a)
    data = {**CASE_DATA, "birth_year": "", "consent_scope": ""}
    response = client.post(reverse("referrals:case_new"), data)
    body = response.content.decode()
    assert response.status_code == 200
    assert "Det er et problem" in body
    assert '<a href="#id_birth_year">' in body
    assert str(BIRTH_REQUIRED) in body and str(CONSENT_FIELDS_REQUIRED) in body
    assert 'value="Kari Nordmann"' in body
    assert body.count("<title>Feil:") == 1
    assert Case.objects.count() == 0


def test_a_referral_without_a_chosen_service_is_refused_and_the_text_kept(
    client, caseworker_a, caseworker_b
):
    login(client, caseworker_a)
    case = CaseFactory(created_by=caseworker_a)
    response = client.post(
        reverse("referrals:case_refer", args=[case.public_id]),
        {"urgency": "acute", "reason": "Viktig bakgrunn", "request": "Hjelp", "draft": "1"},
    )
    body = response.content.decode()
    assert str(SERVICES_REQUIRED) in body
    assert "Viktig bakgrunn" in body
    assert case.referrals.count() == 0


def test_a_draft_is_saved_and_can_be_sent_later(client, caseworker_a, caseworker_b):
    login(client, caseworker_a)
    case = CaseFactory(created_by=caseworker_a)
    service = Service.objects.get(slug="demo-sortland-voldskoordinator")
    client.post(
        reverse("referrals:case_refer", args=[case.public_id]) + "?q=Sortland",
        {"services": [service.pk], "urgency": "acute", "reason": "a", "request": "b", "draft": "1"},
    )
    referral = case.referrals.get()
    assert referral.status == "draft"
    client.post(reverse("referrals:send", args=[referral.public_id]))
    referral.refresh_from_db()
    assert referral.status == "sent"


def test_the_receiver_declines_with_a_reason_and_both_sides_see_the_history(
    client, caseworker_a, caseworker_b
):
    referral = ReferralFactory(case=CaseFactory(created_by=caseworker_a), status="acknowledged")
    login(client, caseworker_b)
    response = client.post(reverse("referrals:decline", args=[referral.public_id]), {"reason": ""})
    assert response.status_code == 400
    assert "Skriv hvorfor dere avslår henvisningen." in response.content.decode()
    client.post(
        reverse("referrals:decline", args=[referral.public_id]), {"reason": "Full kapasitet"}
    )
    referral.refresh_from_db()
    assert referral.status == Referral.Status.DECLINED
    login(client, caseworker_a)
    page = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert "Avslått" in page and "Full kapasitet" in page


def test_an_illegal_step_through_the_page_shows_the_message(client, caseworker_a, caseworker_b):
    referral = ReferralFactory(case=CaseFactory(created_by=caseworker_a), status="sent")
    login(client, caseworker_b)
    response = client.post(reverse("referrals:accept", args=[referral.public_id]), follow=True)
    assert "Dette steget er ikke mulig" in response.content.decode()


def test_the_two_sides_write_to_each_other(client, caseworker_a, caseworker_b):
    referral = ReferralFactory(case=CaseFactory(created_by=caseworker_a), status="sent")
    login(client, caseworker_b)
    client.post(
        reverse("referrals:message", args=[referral.public_id]), {"body": "Når passer det?"}
    )
    login(client, caseworker_a)
    page = client.get(reverse("referrals:detail", args=[referral.public_id])).content.decode()
    assert "Når passer det?" in page
    response = client.post(reverse("referrals:message", args=[referral.public_id]), {"body": ""})
    assert response.status_code == 400


def test_the_inbox_flags_overdue_referrals_and_filters_them(client, caseworker_a, caseworker_b):
    from django.utils import timezone

    late = ReferralFactory(
        case=CaseFactory(created_by=caseworker_a),
        status="sent",
        due_at=timezone.now() - timezone.timedelta(days=1),
    )
    fresh = ReferralFactory(
        case=CaseFactory(created_by=caseworker_a),
        status="sent",
        urgency="acute",
        due_at=timezone.now() + timezone.timedelta(days=1),
    )
    login(client, caseworker_b)
    page = client.get(reverse("referrals:inbox")).content.decode()
    assert "Over fristen" in page
    page = client.get(reverse("referrals:inbox") + "?overdue=on").content.decode()
    assert str(late.public_id) in page and str(fresh.public_id) not in page
    page = client.get(reverse("referrals:inbox") + "?urgency=acute").content.decode()
    assert str(fresh.public_id) in page and str(late.public_id) not in page
    assert client.get(reverse("referrals:inbox") + "?status=nonsense").status_code == 200


def test_the_information_sheet_names_the_receivers_and_the_rights(
    client, caseworker_a, caseworker_b
):
    referral = ReferralFactory(case=CaseFactory(created_by=caseworker_a), status="sent")
    login(client, caseworker_a)
    page = client.get(reverse("referrals:info_sheet", args=[referral.case.public_id]))
    body = page.content.decode()
    assert referral.service.name in body
    assert "Dine rettigheter" in body and "Datatilsynet" in body


def test_the_information_sheet_names_each_receiving_service_once(client, caseworker_a):
    first = ReferralFactory(case=CaseFactory(created_by=caseworker_a), status="declined")
    ReferralFactory(case=first.case, service=first.service, status="sent")
    withdrawn = ReferralFactory(
        case=first.case,
        service=Service.objects.get(slug="demo-sortland-rus-og-psykisk-helse"),
        status="withdrawn",
    )
    login(client, caseworker_a)
    body = client.get(reverse("referrals:info_sheet", args=[first.case.public_id])).text
    assert body.count(f"<li>{first.service.name} (") == 1
    assert withdrawn.service.name not in body


def test_forwarding_through_the_page_needs_the_basis_confirmed(client, caseworker_a, caseworker_b):
    referral = ReferralFactory(case=CaseFactory(created_by=caseworker_a), status="acknowledged")
    target = Service.objects.get(slug="demo-sortland-rus-og-psykisk-helse")
    login(client, caseworker_b)
    url = reverse("referrals:forward", args=[referral.public_id])
    response = client.post(url, {"to_service": target.pk, "note": "Rett tjeneste"})
    assert response.status_code == 400
    body = response.content.decode()
    assert "Bekreft at det rettslige grunnlaget dekker" in body and "Rett tjeneste" in body
    client.post(url, {"to_service": target.pk, "basis_confirmed": "on"})
    referral.refresh_from_db()
    assert referral.status == Referral.Status.FORWARDED
    new = referral.forwards.get()
    assert (new.case_id, new.service, new.status) == (referral.case_id, target, "sent")


def test_the_sender_withdraws_and_the_receiver_completes_through_the_pages(
    client, caseworker_a, caseworker_b
):
    withdrawn = ReferralFactory(case=CaseFactory(created_by=caseworker_a), status="sent")
    accepted = ReferralFactory(case=CaseFactory(created_by=caseworker_a), status="accepted")
    login(client, caseworker_a)
    client.post(reverse("referrals:withdraw", args=[withdrawn.public_id]), {"note": ""})
    login(client, caseworker_b)
    client.post(reverse("referrals:complete", args=[accepted.public_id]))
    withdrawn.refresh_from_db()
    accepted.refresh_from_db()
    assert (withdrawn.status, accepted.status) == ("withdrawn", "completed")
