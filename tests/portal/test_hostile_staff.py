"""Strange input in any admin or staff URL, logged in, gives 400 or 404 (or the admin's
own redirect), never a 500: NUL bytes, non-numeric and oversized ids in every path
parameter of the URLconf, and in every changelist filter."""

import pytest
from django.contrib import admin
from django.test import Client

from services.models import Membership
from tests.factories import login, staff
from tests.urlwalk import walk

pytestmark = pytest.mark.django_db

# Non-numeric, NUL, beyond any integer column, negative, bad UTF-8, and an id of nothing.
HOSTILE = ["abc", "%00", "1%00", "9" * 30, "-1", "%C3%28", "1.5", "987654321"]
PUBLIC = ("services:", "hsds:")


@pytest.fixture
def superuser_client(settings):
    """A verified superuser who is also an agency admin: every page opens for them."""
    user = staff("ingrid", "oslo-kommune", role=Membership.Role.AGENCY_ADMIN)
    user.is_staff = user.is_superuser = True
    user.save()
    # Errors must reach the test as a 500 response, as a browser would see it.
    return login(Client(raise_request_exception=False), user)


def test_hostile_path_parameters_never_give_a_500(superuser_client):
    failures = []
    for value in HOSTILE:
        for url in walk(dict.fromkeys(("int", "slug", "str", "path", "uuid"), value)):
            if not url.params or url.view_name.startswith(PUBLIC):
                continue
            for method in (superuser_client.get, superuser_client.post):
                status = method(url.path).status_code
                if status >= 500:
                    failures.append((method.__name__, url.path, status))
    assert failures == []


def _changelists():
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        yield f"/admin/{info[0]}/{info[1]}/", model


def test_hostile_changelist_filters_never_give_a_500(superuser_client):
    failures = []
    for changelist, model in _changelists():
        names = [f.name for f in model._meta.get_fields() if f.concrete]
        queries = ["q=%00", "o=abc", "p=abc", "p=-1", "e=%00", "_changelist_filters=%00"]
        for name in names:
            queries += [f"{name}__exact=%00", f"{name}__exact=abc", f"{name}__id__exact=abc"]
        for query in queries:
            status = superuser_client.get(f"{changelist}?{query}").status_code
            if status >= 500:
                failures.append((changelist, query, status))
    assert failures == []


def test_nul_bytes_anywhere_answer_400_with_a_message(superuser_client):
    response = superuser_client.get("/admin/services/service/?status__exact=%00")
    assert response.status_code == 400
    assert "ugyldig tegn (NUL)" in response.content.decode()
    response = superuser_client.post("/referrals/cases/new/", {"person_name": "Kari\x00"})
    assert response.status_code == 400


def test_staff_filters_with_strange_values_never_give_a_500(superuser_client):
    for query in ("status=%00", "service=abc", "urgency=x" * 50, "service=" + "9" * 30):
        assert superuser_client.get(f"/referrals/?{query}").status_code < 500


def test_public_search_text_is_capped_like_the_api_search(client):
    from services.forms import MAX_QUERY_LENGTH

    long_query = "vold " * 200
    response = client.get("/services/", {"q": long_query})
    assert response.status_code == 200
    shown = response.context["query"]
    assert len(shown) <= MAX_QUERY_LENGTH
    assert long_query[: MAX_QUERY_LENGTH + 20] not in response.text


def test_nobody_reads_an_authenticator_secret_in_the_admin(superuser_client):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.exclude(
        user__username="ingrid"
    ).first() or TOTPDevice.objects.create(
        user=staff("kari", "oslo-kommune"), name="app", confirmed=True
    )
    for page in ("config", "qrcode"):
        response = superuser_client.get(f"/admin/otp_totp/totpdevice/{device.pk}/{page}/")
        assert response.status_code == 403
