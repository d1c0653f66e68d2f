"""Which client sent a request, for the throttles (failed logins, error reports).

Behind reverse proxies REMOTE_ADDR is the nearest proxy, the same for everyone:
per-client limits would then lock every resident and caseworker out together.
With TRUSTED_PROXIES = n (the proxies in front of the app that each append the
address they received the request from to X-Forwarded-For), the client is the
n-th address from the right of that header; anything further left was written
by the client itself and is ignored, so a forged header cannot dodge a limit.
With 0 (the default: nothing in front, or a proxy that does not append) the
header is ignored altogether. The address is only ever used through a keyed
hash, never stored or logged.
"""

import hashlib
import hmac

from django.conf import settings


def keyed_hash(value: str) -> str:
    """A keyed (SECRET_KEY) SHA-256 of `value`: a throttle key that cannot be reversed, so
    the cache never holds a username or a client address in clear."""
    return hmac.new(settings.SECRET_KEY.encode(), value.encode(), hashlib.sha256).hexdigest()


def client_address(request) -> str:
    trusted = getattr(settings, "TRUSTED_PROXIES", 0)
    remote = request.META.get("REMOTE_ADDR", "")
    if trusted <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if len(hops) < trusted:
        # Not through every proxy we were told of: only the direct peer is known.
        return remote
    return hops[-trusted]
