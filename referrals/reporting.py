"""Error reports that never carry case data."""

from django.views.debug import SafeExceptionReporterFilter

from referrals.models import Case, Message, Referral, ReferralEvent

# Form and model field names whose values describe the person.
CASE_FIELD_NAMES = frozenset(
    {
        *Case.PERSONAL_FIELDS,
        *Referral.PERSONAL_FIELDS,
        "needs",
        "note",
        "body",
        "safe_times",
        "contact_via_referrer_only",
        "may_call",
        "may_text",
        "may_leave_voicemail",
        "may_say_who_we_are",
        "preferred_language",
        "interpreter_needed",
    }
)
CASE_OBJECTS = (Case, Referral, Message, ReferralEvent)


class CaseDataExceptionReporterFilter(SafeExceptionReporterFilter):
    def is_active(self, request):
        # Also in DEBUG: a developer's screen can be shared or photographed.
        return True

    def get_post_parameters(self, request):
        params = super().get_post_parameters(request)
        if request is None or not params:
            return params
        cleansed = params.copy()
        for name in cleansed:
            if name in CASE_FIELD_NAMES:
                cleansed[name] = self.cleansed_substitute
        return cleansed

    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [
            (name, self.cleansed_substitute if self._carries_case_data(name, value) else value)
            for name, value in variables
        ]

    def _carries_case_data(self, name, value) -> bool:
        if name in CASE_FIELD_NAMES or isinstance(value, CASE_OBJECTS):
            return True
        form_class = type(value).__module__
        return (
            form_class == "referrals.forms"
            or isinstance(value, (dict, list, tuple))
            and any(isinstance(item, CASE_OBJECTS) for item in list(value)[:50])
        )
