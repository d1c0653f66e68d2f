"""A failing SMTP server delays e-mail, it never loses a saved step or answers with an
error page: mails wait in the outbox and go when the server is back. Talks to a real
SMTP server (aiosmtpd) that is stopped and started again."""

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone

from portal import outbox
from portal.models import OutboxEmail
from referrals.models import Referral
from tests.factories import CaseFactory, ReferralFactory, login
from tests.smtp import Inbox, free_port

pytestmark = pytest.mark.django_db(transaction=True)  # so that commits really happen


@pytest.fixture(autouse=True)
def _catalogue():
    from services.models import Service

    if not Service.objects.exists():
        call_command("load_catalogue", verbosity=0)


class Server:
    """An SMTP server on a fixed port that can be stopped and started again."""

    def __init__(self, settings):
        self.inbox = Inbox()
        self.port = free_port()
        self.controller = None
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", self.port
        settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
        settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
        settings.EMAIL_TIMEOUT = 5

    def start(self):
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def server(settings):
    server = Server(settings)
    yield server
    server.stop()


def _time_passes():
    """The pause before the next attempt is over (as minutes later, under cron)."""
    OutboxEmail.objects.update(next_attempt_at=timezone.now())


def test_a_referral_step_is_saved_and_its_mail_sent_later_when_smtp_is_down(
    client, server, caseworker_a, caseworker_b, capsys
):
    referral = ReferralFactory(case=CaseFactory(created_by=caseworker_a))
    login(client, caseworker_a)
    # The SMTP server is down (nothing listens on its port).
    response = client.post(f"/referrals/r/{referral.public_id}/send/")
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Referral.Status.SENT
    waiting = OutboxEmail.objects.get()
    assert waiting.to == caseworker_b.email and waiting.attempts == 1
    assert waiting.last_error  # the kind of failure, for the operator

    # Still down when cron runs: nothing lost, tried again later.
    _time_passes()
    call_command("send_outbox")
    assert OutboxEmail.objects.get().attempts == 2

    server.start()
    call_command("send_outbox")  # not yet due: the pause after a failure is respected
    assert server.inbox.messages == []
    _time_passes()
    call_command("send_outbox")
    assert [m["to"] for m in server.inbox.messages] == [[caseworker_b.email]]
    assert str(referral.public_id) in server.inbox.messages[0]["body"]
    assert not OutboxEmail.objects.exists()
    assert "1 e-mail(s) sent, 0 failed, 0 waiting." in capsys.readouterr().out


def test_with_the_server_up_the_mail_goes_right_after_the_commit(
    client, server, caseworker_a, caseworker_b
):
    server.start()
    referral = ReferralFactory(case=CaseFactory(created_by=caseworker_a))
    login(client, caseworker_a)
    client.post(f"/referrals/r/{referral.public_id}/send/")
    assert [m["to"] for m in server.inbox.messages] == [[caseworker_b.email]]
    assert not OutboxEmail.objects.exists()


def test_a_password_reset_with_smtp_down_answers_normally_and_mails_later(
    client, server, caseworker_a
):
    response = client.post("/accounts/password/reset/", {"email": caseworker_a.email})
    assert response["Location"] == "/accounts/password/reset/sent/"
    assert OutboxEmail.objects.get().to == caseworker_a.email
    server.start()
    _time_passes()
    call_command("send_outbox")
    assert "/accounts/password/reset/" in server.inbox.messages[0]["body"]


def test_a_mail_is_given_up_after_the_last_attempt_and_can_be_retried(server, capsys):
    outbox.queue_mail("Emne", "Tekst", ["a@example.invalid"])
    OutboxEmail.objects.update(attempts=outbox.MAX_ATTEMPTS)
    call_command("send_outbox")
    assert "given up" in capsys.readouterr().err
    server.start()
    call_command("send_outbox", "--retry-given-up")
    assert [m["to"] for m in server.inbox.messages] == [["a@example.invalid"]]


def test_two_senders_never_send_the_same_mail(server):
    server.start()
    outbox.queue_mail("Emne", "Tekst", ["a@example.invalid"])  # sent at once (autocommit)
    assert len(server.inbox.messages) == 1
    mail = OutboxEmail.objects.create(subject="S", body="B", to="b@example.invalid")
    now = timezone.now()
    assert outbox._claim(mail.pk, now) is True
    assert outbox._claim(mail.pk, now) is False  # the other sender finds it taken
