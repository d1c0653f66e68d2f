# A real SMTP server (aiosmtpd) for the portal's mail tests, shared with the coordinator's tests.
from tests.services.test_coordination import smtp  # noqa: F401
