"""A real SMTP server on a free loopback port, for tests that check what was e-mailed."""

import socket
from email import message_from_bytes, policy


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.messages.append(
            {
                "to": list(envelope.rcpt_tos),
                "subject": str(message["Subject"]),
                "body": message.get_body(("plain",)).get_content(),
            }
        )
        return "250 OK"

    def deliver(self):
        """Send what the outbox holds now, as happens right after a commit (which tests
        inside a transaction never reach) or from cron; return every message received."""
        from portal.outbox import send_due

        send_due()
        return self.messages


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
