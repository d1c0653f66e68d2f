"""What every public page (the `services` URL namespace) promises a resident."""

PUBLIC_NAMESPACES = {"services"}


class PublicPageMiddleware:
    """Public pages set no cookie and stay out of caches.

    Sits above the session and CSRF middleware so that, on the way out, it sees
    any cookie they added: a resident's device keeps nothing from the portal but
    its history, which quick exit and the covering-your-tracks page deal with.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if match is not None and match.namespace in PUBLIC_NAMESPACES:
            response.cookies.clear()
            response.headers.setdefault("Cache-Control", "no-store")
            response.headers.setdefault(
                "Permissions-Policy", "camera=(), microphone=(), geolocation=()"
            )
        return response
