"""Child process of test_readme_path: with the production settings and the database the
README's steps prepared, a coordinator logs in (password, e-mailed set-up link, code) and
opens the admin. Prints one JSON line with what each step answered."""

import json
import re
import sys
from urllib.parse import urlsplit

import django


def main(username: str, password: str) -> dict:
    django.setup()
    from django.core import mail
    from django.test import Client
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client = Client(HTTP_HOST="veiviser.test")
    steps = {}
    login = client.post(
        "/accounts/login/?next=/admin/",
        {"username": username, "password": password},
        secure=True,
    )
    steps["login"] = [login.status_code, login.get("Location", "")]
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    steps["link"] = client.get(urlsplit(link).path, secure=True).status_code
    device = TOTPDevice.objects.get(user__username=username)
    code = f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"
    confirm = client.post("/accounts/2fa/?next=/admin/", {"otp_token": code}, secure=True)
    steps["confirm"] = [confirm.status_code, confirm.get("Location", "")]
    steps["admin"] = client.get("/admin/", secure=True).status_code
    steps["dashboard"] = client.get("/admin/services/service/dashboard/", secure=True).status_code
    return steps


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
