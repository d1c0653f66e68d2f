from functools import wraps

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from referrals.models import active_membership


def same_origin_referrer(view):
    """Pages with forms send Referrer-Policy: same-origin instead of the site-wide
    no-referrer, because with no-referrer browsers send `Origin: null` on form
    POSTs and Django's CSRF check refuses them. Links to other sites still get
    no referrer."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        response["Referrer-Policy"] = "same-origin"
        return response

    return wrapper


def staff_view(view):
    """Referral pages: logged in (the second factor is checked for every URL by
    portal.middleware.SecondFactorMiddleware), an active membership, never cached, and POST data kept out of error reports.
    People without a membership get the same 404 as for a record they may not see."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if active_membership(request.user) is None:
            raise Http404
        return view(request, *args, **kwargs)

    return same_origin_referrer(never_cache(sensitive_post_parameters()(login_required(wrapper))))


def agency_admin_view(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request.user.membership.is_agency_admin:
            raise Http404
        return view(request, *args, **kwargs)

    return staff_view(wrapper)
