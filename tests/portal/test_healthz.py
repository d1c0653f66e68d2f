import threading

import pytest
from django.db import connection
from django.test import Client


@pytest.mark.django_db
def test_healthz_answers_200_directly_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok\n"


@pytest.mark.django_db
def test_healthz_is_not_redirected_by_https_redirect(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    assert client.get("/healthz").status_code == 200
    assert client.get("/").status_code == 301


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(monkeypatch):
    # A request served by a fresh thread opens its own connection from the
    # settings, which now name a database that cannot be reached.
    if connection.vendor == "sqlite":
        monkeypatch.setitem(connection.settings_dict, "NAME", "/nonexistent-dir/veiviser.sqlite3")
    else:
        monkeypatch.setitem(connection.settings_dict, "HOST", "127.0.0.1")
        monkeypatch.setitem(connection.settings_dict, "PORT", "1")
    responses = []

    def request():
        try:
            responses.append(Client().get("/healthz"))
        finally:
            connection.close()

    worker = threading.Thread(target=request)
    worker.start()
    worker.join()
    assert responses[0].status_code == 503
