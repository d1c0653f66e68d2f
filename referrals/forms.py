from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from referrals.models import Case, Referral
from services.models import Category, Membership

BIRTH_REQUIRED = _("Skriv fødselsår eller fødselsdato.")
BIRTH_YEAR_RANGE = _("Fødselsåret må være mellom 1900 og i år.")
FUTURE_DATE = _("Datoen kan ikke være fram i tid.")
CONSENT_FIELDS_REQUIRED = _("Fyll ut dette når grunnlaget er samtykke.")
STATUTE_REQUIRED = _("Velg hvilken hjemmel som gir grunnlag for å dele opplysningene.")
SERVICES_REQUIRED = _("Velg minst én tjeneste som tar imot elektroniske henvisninger.")


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = [
            "person_name",
            "birth_year",
            "birth_date",
            "phone",
            "may_call",
            "may_text",
            "may_leave_voicemail",
            "may_say_who_we_are",
            "safe_times",
            "contact_via_referrer_only",
            "preferred_language",
            "interpreter_needed",
            "needs",
            "colleagues",
            "legal_basis",
            "consent_date",
            "consent_given_by",
            "consent_scope",
            "statute",
        ]
        widgets = {
            "needs": forms.CheckboxSelectMultiple,
            "colleagues": forms.CheckboxSelectMultiple,
            "legal_basis": forms.RadioSelect,
            "birth_date": forms.DateInput(attrs={"type": "date"}),
            "consent_date": forms.DateInput(attrs={"type": "date"}),
            "consent_scope": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "birth_date": _("Eller bare fødselsår over."),
            "safe_times": _("For eksempel «hverdager 10–14, ikke kveld»."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        membership = user.membership
        self.fields["needs"].queryset = Category.objects.all()
        self.fields["colleagues"].queryset = (
            membership.organisation.active_staff()
            .exclude(pk=user.pk)
            .order_by("first_name", "username")
        )
        self.fields["colleagues"].label_from_instance = lambda u: u.get_full_name() or u.username
        self.fields["legal_basis"].choices = Case.LegalBasis.choices
        self.fields["statute"].required = False

    def clean_birth_year(self):
        year = self.cleaned_data.get("birth_year")
        if year is not None and not 1900 <= year <= timezone.localdate().year:
            raise forms.ValidationError(BIRTH_YEAR_RANGE)
        return year

    def clean_birth_date(self):
        value = self.cleaned_data.get("birth_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(FUTURE_DATE)
        return value

    def clean_consent_date(self):
        value = self.cleaned_data.get("consent_date")
        if value and value > timezone.localdate():
            raise forms.ValidationError(FUTURE_DATE)
        return value

    def clean(self):
        data = super().clean()
        if (
            not data.get("birth_year")
            and not data.get("birth_date")
            and not (self.has_error("birth_year") or self.has_error("birth_date"))
        ):
            self.add_error("birth_year", BIRTH_REQUIRED)
        if data.get("legal_basis") == Case.LegalBasis.CONSENT:
            for name in ("consent_date", "consent_given_by", "consent_scope"):
                if not data.get(name) and not self.has_error(name):
                    self.add_error(name, CONSENT_FIELDS_REQUIRED)
        elif data.get("legal_basis") == Case.LegalBasis.STATUTORY and not data.get("statute"):
            self.add_error("statute", STATUTE_REQUIRED)
        return data


class ReferralForm(forms.Form):
    services = forms.TypedMultipleChoiceField(
        label=_("Tjenester"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        required=True,
        error_messages={"required": SERVICES_REQUIRED, "invalid_choice": SERVICES_REQUIRED},
    )
    urgency = forms.ChoiceField(
        label=_("Hastegrad"),
        choices=Referral.Urgency.choices,
        widget=forms.RadioSelect,
        initial=Referral.Urgency.ORDINARY,
    )
    reason = forms.CharField(
        label=_("Bakgrunn for henvisningen"),
        widget=forms.Textarea(attrs={"rows": 5}),
        max_length=5000,
    )
    request = forms.CharField(
        label=_("Hva ber dere tjenesten om?"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.service_objects = {s.pk: s for s in services}
        self.fields["services"].choices = [
            (s.pk, f"{s.name} ({s.organisation.name})") for s in services
        ]


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Merknad (valgfritt)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeclineForm(forms.Form):
    reason = forms.CharField(
        label=_("Hvorfor avslår dere?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv hvorfor dere avslår henvisningen.")},
    )


class ForwardForm(NoteForm):
    field_order = ["to_service", "basis_confirmed", "note"]

    to_service = forms.ModelChoiceField(
        label=_("Send videre til"),
        queryset=None,
        error_messages={
            "required": _("Velg tjenesten henvisningen skal sendes videre til."),
            "invalid_choice": _("Velg en tjeneste fra listen."),
        },
    )
    basis_confirmed = forms.BooleanField(
        label=_("Det rettslige grunnlaget for henvisningen dekker at den sendes videre hit."),
        error_messages={
            "required": _(
                "Bekreft at det rettslige grunnlaget dekker at henvisningen sendes videre."
            )
        },
    )

    def __init__(self, *args, queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_service"].queryset = queryset


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Ny melding"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("Skriv en melding.")},
    )


class InboxFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Alle"))] + [c for c in Referral.Status.choices if c[0] != "draft"],
    )
    urgency = forms.ChoiceField(
        label=_("Hastegrad"), required=False, choices=[("", _("Alle")), *Referral.Urgency.choices]
    )
    service = forms.TypedChoiceField(
        label=_("Tjeneste"), required=False, coerce=int, empty_value=None
    )
    overdue = forms.BooleanField(label=_("Bare over fristen"), required=False)

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = [("", _("Alle"))] + [(s.pk, s.name) for s in services]


class InviteForm(forms.Form):
    first_name = forms.CharField(label=_("Fornavn"), max_length=150)
    last_name = forms.CharField(label=_("Etternavn"), max_length=150)
    email = forms.EmailField(label=_("E-post"))
    username = forms.SlugField(label=_("Brukernavn"), max_length=150)
    role = forms.ChoiceField(
        label=_("Rolle"),
        choices=Membership.Role.choices,
        widget=forms.RadioSelect,
        initial=Membership.Role.CASEWORKER,
    )
    services = forms.ModelMultipleChoiceField(
        label=_("Tjenester"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = organisation.services.order_by("name")

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("Brukernavnet er i bruk. Velg et annet."))
        return username


class AssignServicesForm(forms.Form):
    services = forms.ModelMultipleChoiceField(
        label=_("Tjenester"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["services"].queryset = organisation.services.order_by("name")


class DeactivateForm(forms.Form):
    successor = forms.ModelChoiceField(
        label=_("Hvem skal overta sakene og henvisningene?"),
        queryset=None,
        error_messages={"required": _("Velg en kollega som overtar sakene.")},
    )

    def __init__(self, *args, membership, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["successor"].queryset = membership.organisation.active_staff().exclude(
            pk=membership.user_id
        )
        self.fields["successor"].label_from_instance = lambda u: u.get_full_name() or u.username
