"""simple_history's history pages, made safe for any id a URL carries."""

from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from portal.middleware import MAX_ID


class CheckedHistoryAdmin(SimpleHistoryAdmin):
    """simple_history's history pages look up the ids exactly as the URL gives them
    (its patterns match any text): a non-numeric one was a 500. Here it is a 404."""

    def history_view(self, request, object_id, extra_context=None):
        _require_id(object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        _require_id(object_id)
        _require_id(version_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


def _require_id(value) -> None:
    if not (str(value).isascii() and str(value).isdigit() and int(value) <= MAX_ID):
        raise Http404
