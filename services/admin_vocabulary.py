"""The search vocabulary in the admin: the national coordinator owns it (issue 11, point 5).

Concepts and their words are edited here, with history like listings; a preview shows
what the search makes of a query and why each result ranked where it did; and the
dashboard's "searches that found nothing" lead to a small form that adds their words to
a concept. A save clears the compiled vocabulary (services/search/signals.py), so the
next search uses it, with no deploy. Only the national coordinator and superusers
change the vocabulary; other coordinators may look.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services import coordination, insights
from services.admin_history import CheckedHistoryAdmin
from services.models import Persona, Service
from services.search import explain, restricted_to, search_services
from services.search.models import Concept, ConceptTerm, Urgency
from services.search.vocabulary import current as current_vocabulary

PREVIEW_RESULTS = 20
MAX_PREVIEW_QUERY = 1000
TERM_MAX_LENGTH = ConceptTerm._meta.get_field("text").max_length
NO_WORDS = _("Skriv minst ett ord eller uttrykk.")
TOO_LONG = _("Et ord eller uttrykk kan ha høyst %(max)d tegn: «%(text)s…»")


def may_edit_vocabulary(user) -> bool:
    """The national coordinator and superusers change the vocabulary; nobody else."""
    scope = coordination.scope_of(user)
    return scope.everything or scope.national


def _may_view_vocabulary(user) -> bool:
    return coordination.scope_of(user).is_coordinator


@transaction.atomic
def concept_terms_add(*, concept: Concept, language: str, texts: list[str], user) -> list[str]:
    """Add words or phrases to a concept; those it already has in that language are skipped.

    The concept is saved too, so its history says who added which words. Returns the
    texts added.
    """
    if not may_edit_vocabulary(user):
        raise PermissionDenied(gettext("Bare den nasjonale koordinatoren kan endre søkeordene."))
    known = {
        text.casefold()
        for text in concept.terms.filter(language=language).values_list("text", flat=True)
    }
    added = []
    for text in texts:
        if text.casefold() in known:
            continue
        term = ConceptTerm(concept=concept, language=language, text=text)
        term.full_clean()
        term._history_user = user
        term.save()
        known.add(text.casefold())
        added.append(text)
    if added:
        concept._history_user = user
        concept._change_reason = f"words added ({language}): {', '.join(added)}"[:100]
        concept.save(update_fields=["updated_at"])
    return added


# --- Forms -------------------------------------------------------------------------------


class PreviewForm(forms.Form):
    q = forms.CharField(label=_("Søk"), required=False, max_length=MAX_PREVIEW_QUERY)
    municipality = forms.CharField(
        label=_("Kommunenummer"),
        required=False,
        max_length=40,
        help_text=_("Fire sifre, for eksempel 0301. Tomt: hele landet."),
    )
    language = forms.ChoiceField(
        label=_("Språk på siden"), choices=ConceptTerm.LANGUAGES, required=False
    )


class AddWordsForm(forms.Form):
    concept = forms.ModelChoiceField(
        label=_("Søkebegrep"), queryset=Concept.objects.order_by("name")
    )
    language = forms.ChoiceField(label=_("Språk"), choices=ConceptTerm.LANGUAGES, initial="nb")
    words = forms.CharField(
        label=_("Ord og uttrykk"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        error_messages={"required": NO_WORDS},
        help_text=_(
            "Ett ord eller uttrykk per linje. Et uttrykk med flere ord treffer når ordene "
            "står sammen i søket."
        ),
    )

    def clean_words(self) -> list[str]:
        lines = (" ".join(line.split()) for line in self.cleaned_data["words"].splitlines())
        texts = list(dict.fromkeys(line for line in lines if line))
        for text in texts:
            if len(text) > TERM_MAX_LENGTH:
                raise ValidationError(TOO_LONG % {"max": TERM_MAX_LENGTH, "text": text[:30]})
        return texts


# --- Admin -------------------------------------------------------------------------------


class VocabularyPermissions:
    """Coordinators may look; the national coordinator and superusers may change."""

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or _may_view_vocabulary(request.user)

    def has_add_permission(self, request, *args):
        return may_edit_vocabulary(request.user)

    def has_change_permission(self, request, obj=None):
        return may_edit_vocabulary(request.user)

    def has_delete_permission(self, request, obj=None):
        return may_edit_vocabulary(request.user)


class AudienceMixin:
    """The national coordinator sets whom a category's or target group's services are for
    (the search's safety rules read it); the rest of a category stays the superuser's."""

    def _audience_only(self, request) -> bool:
        return not super().has_change_permission(request) and may_edit_vocabulary(request.user)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) or may_edit_vocabulary(request.user)

    def get_readonly_fields(self, request, obj=None):
        if self._audience_only(request):
            return [f.name for f in self.model._meta.fields if f.editable and f.name != "audience"]
        return super().get_readonly_fields(request, obj)

    def get_prepopulated_fields(self, request, obj=None):
        return {} if self._audience_only(request) else super().get_prepopulated_fields(request, obj)

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        if self._audience_only(request):
            changelist.list_editable = ()
        return changelist


class ConceptTermInline(VocabularyPermissions, admin.TabularInline):
    model = ConceptTerm
    extra = 1
    fields = ["language", "text"]


@admin.register(Concept)
class ConceptAdmin(VocabularyPermissions, CheckedHistoryAdmin):
    list_display = ["name", "persona", "urgency", "is_active", "term_count", "updated_at"]
    list_filter = ["persona", "urgency", "is_active", "categories", "target_groups"]
    search_fields = ["name", "slug", "finds", "terms__text"]
    prepopulated_fields = {"slug": ["name"]}
    filter_horizontal = ["categories", "target_groups"]
    autocomplete_fields = ["lines"]
    readonly_fields = ["updated_at"]
    inlines = [ConceptTermInline]
    change_list_template = "admin/services/concept/change_list.html"
    object_history_template = "admin/services/concept/object_history.html"
    fieldsets = [
        (None, {"fields": ["name", "slug", "is_active", "updated_at"]}),
        (_("Hvem spør, og hvor akutt"), {"fields": ["persona", "urgency", "acute_alone"]}),
        (
            _("Hva søket gjør med begrepet"),
            {"fields": ["weight", "finds", "categories", "target_groups", "lines"]},
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(term_total=Count("terms"))

    @admin.display(description=_("ord og uttrykk"), ordering="term_total")
    def term_count(self, obj):
        return obj.term_total

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("preview/", wrap(self.preview_view), name="services_concept_preview"),
            path("add-words/", wrap(self.add_words_view), name="services_concept_add_words"),
            *super().get_urls(),
        ]

    def history_view(self, request, object_id, extra_context=None):
        """The concept's history, and below it who added, changed or removed which words."""
        extra_context = {
            **(extra_context or {}),
            "term_history": ConceptTerm.history.filter(concept_id=_as_int(object_id))
            .select_related("history_user")
            .order_by("-history_date")[:200],
        }
        return super().history_view(request, object_id, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "may_edit_vocabulary": may_edit_vocabulary(request.user),
        }
        return super().changelist_view(request, extra_context)

    def _context(self, request, title: str) -> dict:
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            "may_edit_vocabulary": may_edit_vocabulary(request.user),
        }

    def preview_view(self, request):
        """Type a query, see what the search understood and why each result ranked there."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        data = request.GET.copy()
        unanswered = _unanswered_text(request.GET.get("search"), request.user)
        if unanswered is not None and not data.get("q"):
            data["q"] = unanswered
        form = PreviewForm(data if data else None, initial={"language": "nb"})
        context = {**self._context(request, gettext("Prøv søket")), "form": form}
        if form.is_valid() and form.cleaned_data["q"].strip():
            context.update(_preview(**form.cleaned_data))
        return TemplateResponse(request, "admin/services/concept/preview.html", context)

    def add_words_view(self, request):
        """Add the words of a search (from the dashboard, or typed) to a concept."""
        if not may_edit_vocabulary(request.user):
            raise PermissionDenied
        context = self._context(request, gettext("Legg ord til et søkebegrep"))
        if request.method == "POST":
            form = AddWordsForm(request.POST)
            if form.is_valid():
                concept = form.cleaned_data["concept"]
                try:
                    added = concept_terms_add(
                        concept=concept,
                        language=form.cleaned_data["language"],
                        texts=form.cleaned_data["words"],
                        user=request.user,
                    )
                except ValidationError as error:
                    form.add_error("words", error)
                else:
                    if added:
                        self.log_change(
                            request,
                            concept,
                            [
                                {
                                    "added": {
                                        "name": str(ConceptTerm._meta.verbose_name),
                                        "object": ", ".join(added),
                                    }
                                }
                            ],
                        )
                        self.message_user(
                            request,
                            gettext(
                                "Lagt til i «%(concept)s»: %(words)s. Det gjelder fra neste søk."
                            )
                            % {"concept": concept, "words": ", ".join(added)},
                            messages.SUCCESS,
                        )
                    else:
                        self.message_user(
                            request,
                            gettext("«%(concept)s» hadde allerede disse ordene.")
                            % {"concept": concept},
                            messages.WARNING,
                        )
                    return HttpResponseRedirect(
                        reverse("admin:services_concept_change", args=[concept.pk])
                    )
        else:
            search = request.GET.get("search")
            words = _unanswered_text(search, request.user)
            if search and words is None:
                self.message_user(
                    request,
                    gettext("Fant ikke søket. Søk uten treff slettes etter 90 dager."),
                    messages.WARNING,
                )
            words = words or request.GET.get("words", "")[:MAX_PREVIEW_QUERY]
            form = AddWordsForm(initial={"words": words.replace("\x00", ""), "language": "nb"})
            if words.strip():
                context["unknown"] = _unknown_words(words)
        context["form"] = form
        return TemplateResponse(request, "admin/services/concept/add_words.html", context)


def _as_int(value) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _unanswered_text(search_id, user) -> str | None:
    """The text of a search that found nothing, by its id (residents' words stay out of
    URLs), and only one the user may see on the dashboard (insights.unanswered_for: their
    municipalities, searched at least three times)."""
    pk = _as_int(search_id) if search_id else None
    if pk is None:
        return None
    visible = insights.unanswered_for(coordination.scope_of(user))
    return visible.filter(pk=pk).values_list("query", flat=True).first()


def _unknown_words(text: str) -> list[str]:
    return list(search_services(text).query.unknown)


def _preview(*, q: str, municipality: str, language: str) -> dict:
    """What the search understood of `q` and its first results, each with why it ranked there."""
    results = search_services(
        q, {"municipality": municipality} if municipality else None, language=language or "nb"
    )
    parsed = results.query
    vocabulary = current_vocabulary()
    sources = {c.source for c in parsed.concepts if c.source}
    concept_ids = dict(Concept.objects.filter(slug__in=sources).values_list("slug", "pk"))
    shown = results.candidates[:PREVIEW_RESULTS]
    services = {
        pk: (slug, name)
        for pk, slug, name in Service.objects.filter(
            pk__in=[c.id for c in shown] + list(parsed.lines)
        ).values_list("pk", "slug", "name")
    }
    rows = []
    for position, candidate in enumerate(shown, start=1):
        rows.append(
            {
                "position": position,
                "candidate": candidate,
                "slug": services.get(candidate.id, ("", ""))[0],
                "pinned": candidate.id in parsed.lines,
                "only_for": sorted(_persona_label(p) for p in restricted_to(candidate, vocabulary)),
                "explanation": [
                    {"label": label, "weight": weight, "match": match}
                    for label, weight, match in explain(parsed, candidate)
                ],
            }
        )
    return {
        "searched": True,
        "results": results,
        "parsed": parsed,
        "concepts": [
            {
                "label": c.label,
                "source": c.source,
                "source_id": concept_ids.get(c.source),
                "weight": c.idf,
                "understood": c.understood,
            }
            for c in parsed.concepts
        ],
        "personas": sorted(_persona_label(p) for p in parsed.personas),
        "urgencies": [_urgency_label(u) for u in parsed.urgencies],
        "lines": [services[pk][1] for pk in parsed.lines if pk in services],
        "language": dict(ConceptTerm.LANGUAGES).get(parsed.language, parsed.language),
        "rows": rows,
    }


def _persona_label(value: str) -> str:
    return str(Persona(value).label) if value in Persona.values else value


def _urgency_label(value: str) -> str:
    return str(Urgency(value).label) if value in Urgency.values else value
