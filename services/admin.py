"""The coordinator's admin: listings, queues and a dashboard, each scoped to what the user stewards.

A listing's steward is its organisation's municipality; organisations without one are
national. Superusers see everything. Every write of consequence goes through
services.coordination, so the rules (second approval for emergency phones, scope) hold
here and in every other path.
"""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.db.models import Count, Q
from django.http import HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from services import coordination, insights, spreadsheet
from services.admin_history import CheckedHistoryAdmin
from services.admin_vocabulary import AudienceMixin, may_edit_vocabulary
from services.models import (
    Category,
    ChangeSuggestion,
    CoordinatorScope,
    County,
    DeliveryMode,
    ErrorReport,
    Language,
    Location,
    Membership,
    Municipality,
    OpeningHours,
    Organisation,
    PendingChange,
    Phone,
    Service,
    StewardContact,
    TargetGroup,
    UnansweredSearch,
)


@admin.register(County)
class CountyAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "name_official"]
    search_fields = ["number", "name", "name_official"]


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ["number", "name", "county"]
    list_filter = ["county"]
    search_fields = ["number", "name", "name_official"]
    list_select_related = ["county"]


@admin.register(Category)
class CategoryAdmin(AudienceMixin, admin.ModelAdmin):
    list_display = ["name_nb", "name_nn", "name_en", "slug", "audience", "position"]
    list_filter = ["audience"]
    list_editable = ["position"]
    search_fields = ["slug", "name_nb", "name_nn", "name_en"]
    prepopulated_fields = {"slug": ["name_nb"]}


@admin.register(TargetGroup)
class TargetGroupAdmin(AudienceMixin, admin.ModelAdmin):
    list_display = ["name_nb", "name_nn", "name_en", "slug", "audience", "position"]
    list_filter = ["audience"]
    list_editable = ["position"]
    search_fields = ["slug", "name_nb", "name_nn", "name_en"]
    prepopulated_fields = {"slug": ["name_nb"]}


@admin.register(Language)
class LanguageAdmin(admin.ModelAdmin):
    list_display = ["code", "name_nb", "name_nn", "name_en"]
    search_fields = ["code", "name_nb", "name_en"]


@admin.register(DeliveryMode)
class DeliveryModeAdmin(admin.ModelAdmin):
    list_display = ["code", "name_nb", "name_nn", "name_en", "position"]


# --- Scope -----------------------------------------------------------------------------


class StewardScopedAdmin(admin.ModelAdmin):
    """Shows and allows changing only the rows whose listing or organisation the user stewards.

    `organisation_path` leads from the model to the organisation whose municipality decides.
    A direct URL to a row outside the user's scope is refused with 403, not shown.
    """

    organisation_path = "organisation__"

    def get_queryset(self, request):
        scope = coordination.scope_of(request.user)
        return super().get_queryset(request).filter(scope.organisation_q(self.organisation_path))

    def _organisation_of(self, obj):
        for part in self.organisation_path.strip("_").split("__"):
            if part:
                obj = getattr(obj, part)
        return obj

    def in_scope(self, request, obj) -> bool:
        scope = coordination.scope_of(request.user)
        if scope.everything:
            return True
        organisation = self._organisation_of(obj)
        if organisation.municipality_id is None:
            return scope.national
        return organisation.municipality_id in scope.municipalities

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            unscoped = admin.ModelAdmin.get_queryset(self, request)
            field = (
                self.model._meta.pk
                if from_field is None
                else self.model._meta.get_field(from_field)
            )
            try:
                value = field.to_python(object_id)
            except ValidationError:
                return None
            if unscoped.filter(**{field.attname: value}).exists():
                raise PermissionDenied
        return obj

    def has_view_permission(self, request, obj=None):
        allowed = super().has_view_permission(request, obj)
        return allowed and (obj is None or self.in_scope(request, obj))

    def has_change_permission(self, request, obj=None):
        allowed = super().has_change_permission(request, obj)
        return allowed and (obj is None or self.in_scope(request, obj))

    def has_delete_permission(self, request, obj=None):
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or self.in_scope(request, obj))

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "organisation":
            kwargs["queryset"] = coordination.organisations_for(request.user)
        elif db_field.name == "service" and db_field.related_model is Service:
            kwargs["queryset"] = coordination.services_for(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedInlineMixin:
    """Inline rows follow their parent listing's scope."""

    def _parent_in_scope(self, request, obj) -> bool:
        return obj is None or coordination.scope_of(request.user).stewards(obj)

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self._parent_in_scope(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._parent_in_scope(request, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self._parent_in_scope(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._parent_in_scope(request, obj)


# --- Organisations ------------------------------------------------------------------------


@admin.register(Organisation)
class OrganisationAdmin(StewardScopedAdmin, CheckedHistoryAdmin):
    organisation_path = ""
    list_display = ["name", "type", "municipality", "email", "is_demo"]
    list_filter = ["type", "is_demo", ("municipality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug", "municipality__name"]
    list_select_related = ["municipality"]
    prepopulated_fields = {"slug": ["name"]}

    def _organisation_of(self, obj):
        return obj

    def get_queryset(self, request):
        return coordination.organisations_for(
            request.user, admin.ModelAdmin.get_queryset(self, request)
        )

    def get_autocomplete_fields(self, request):
        return ["municipality"] if request.user.is_superuser else []

    def has_delete_permission(self, request, obj=None):
        """Deleting an organisation deletes its listings: not past a second approval."""
        allowed = super().has_delete_permission(request, obj)
        return allowed and (obj is None or coordination.organisation_delete_allowed(obj))

    def delete_queryset(self, request, queryset):
        for organisation in queryset:
            if coordination.organisation_delete_allowed(organisation):
                organisation.delete()
            else:
                self.message_user(
                    request,
                    gettext(
                        "%(name)s har en akuttoppføring og kan ikke slettes før den er "
                        "slettet med godkjenning fra en annen koordinator."
                    )
                    % {"name": organisation},
                    messages.ERROR,
                )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = coordination.scope_of(request.user)
        if db_field.name == "municipality" and not scope.everything:
            kwargs["queryset"] = Municipality.objects.filter(number__in=scope.municipalities)
            kwargs["required"] = not scope.national
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# --- Listings -----------------------------------------------------------------------------


PHONE_FIELDS = ["number", "label_nb", "label_en"]


class PhoneInline(ScopedInlineMixin, admin.TabularInline):
    model = Phone
    extra = 0
    fields = [*PHONE_FIELDS, "position"]


class LocationInline(ScopedInlineMixin, admin.StackedInline):
    model = Location
    extra = 0
    fields = [
        ("kind", "is_confidential"),
        "street",
        ("postal_code", "city", "municipality"),
        ("latitude", "longitude"),
        ("note_nb", "note_en"),
        ("accessibility_nb", "accessibility_en"),
    ]
    autocomplete_fields = ["municipality"]


class OpeningHoursInline(ScopedInlineMixin, admin.TabularInline):
    model = OpeningHours
    extra = 0
    fields = ["weekday", "opens", "closes", "closes_next_day"]


class ReviewDueFilter(admin.SimpleListFilter):
    title = _("kontroll")
    parameter_name = "review"

    def lookups(self, request, model_admin):
        return [("due", _("Kontroll forfalt")), ("ok", _("Kontrollert nylig"))]

    def queryset(self, request, queryset):
        if self.value() == "due":
            return queryset.filter(pk__in=Service.objects.review_due().values("pk"))
        if self.value() == "ok":
            return queryset.exclude(pk__in=Service.objects.review_due().values("pk"))
        return queryset


class ServiceForm(forms.ModelForm):
    def clean(self):
        cleaned = super().clean()
        # Browsers send CRLF line ends: keep the stored text (and the history) free of them.
        for name, value in cleaned.items():
            if isinstance(value, str) and "\r\n" in value:
                cleaned[name] = value.replace("\r\n", "\n")
        return cleaned


@admin.register(Service)
class ServiceAdmin(StewardScopedAdmin, CheckedHistoryAdmin):
    form = ServiceForm
    list_display = [
        "name",
        "organisation",
        "steward",
        "status",
        "is_emergency",
        "last_verified_at",
        "review_state",
    ]
    list_filter = [
        ReviewDueFilter,
        "status",
        "is_emergency",
        "accepts_electronic_referrals",
        "is_demo",
        "coverage_national",
        "categories",
        "target_groups",
        ("organisation__municipality", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["name", "name_en", "slug", "organisation__name", "keywords_nb"]
    list_select_related = ["organisation__municipality"]
    autocomplete_fields = ["organisation", "coverage_municipalities", "coverage_counties"]
    filter_horizontal = ["categories", "target_groups", "languages", "delivery_modes"]
    readonly_fields = ["uuid", "created_at", "updated_at", "last_verified_at", "verified_by"]
    inlines = [PhoneInline, LocationInline, OpeningHoursInline]
    actions = ["mark_verified", "publish", "archive", "unpublish"]
    fieldsets = [
        (None, {"fields": ["name", "name_en", "slug", "organisation", "status", "is_demo"]}),
        (
            _("Om tjenesten"),
            {
                "fields": [
                    "description_nb",
                    "description_en",
                    "eligibility_nb",
                    "eligibility_en",
                    "how_it_works_nb",
                    "how_it_works_en",
                    "categories",
                    "target_groups",
                    "keywords_nb",
                    "keywords_en",
                ]
            },
        ),
        (
            _("Kontakt"),
            {
                "fields": [
                    "website",
                    "email",
                    "chat_url",
                    "delivery_modes",
                    "languages",
                    "hours_mode",
                    "hours_note_nb",
                    "hours_note_en",
                ]
            },
        ),
        (
            _("Tilgang"),
            {
                "fields": [
                    "referral_required",
                    "who_may_refer",
                    "referral_notes_nb",
                    "referral_notes_en",
                    "is_free",
                    "cost_nb",
                    "cost_en",
                    "anonymous_possible",
                    "is_emergency",
                    "accepts_electronic_referrals",
                ]
            },
        ),
        (
            _("Dekningsområde"),
            {"fields": ["coverage_national", "coverage_counties", "coverage_municipalities"]},
        ),
        (
            _("Kontroll og kilder"),
            {
                "fields": [
                    "review_interval_days",
                    "last_verified_at",
                    "verified_by",
                    "source_url",
                    "extra_source_urls",
                    "source_note",
                    "desk_check",
                    "uuid",
                    "created_at",
                    "updated_at",
                ]
            },
        ),
    ]

    @admin.display(description=_("forvaltes av"), ordering="organisation__municipality__name")
    def steward(self, obj):
        return obj.organisation.municipality or gettext("Nasjonal")

    @admin.display(description=_("kontroll"))
    def review_state(self, obj):
        due_on = obj.review_due_on
        if due_on is None:
            return gettext("Ikke kontrollert")
        if due_on <= timezone.now():
            return gettext("Forfalt")
        return gettext("Neste %(date)s") % {"date": f"{timezone.localtime(due_on):%d.%m.%Y}"}

    # Actions: each goes through services.coordination and reports what it did.

    def _each(self, request, queryset, function, done_message):
        count = 0
        for service in queryset.select_related("organisation"):
            try:
                result = function(service=service, user=request.user)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{service}: {error}", messages.ERROR)
            else:
                waiting = result if isinstance(result, PendingChange) else None
                self._tell_waiting(request, service, waiting)
                count += waiting is None
        self.message_user(request, done_message % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Merk som kontrollert nå"), permissions=["change"])
    def mark_verified(self, request, queryset):
        self._each(
            request,
            queryset,
            coordination.service_verify,
            gettext("%(count)d merket som kontrollert."),
        )

    @admin.action(description=_("Publiser"), permissions=["change"])
    def publish(self, request, queryset):
        self._each(request, queryset, coordination.service_publish, gettext("%(count)d publisert."))

    @admin.action(description=_("Arkiver"), permissions=["change"])
    def archive(self, request, queryset):
        self._each(request, queryset, coordination.service_archive, gettext("%(count)d arkivert."))

    @admin.action(description=_("Gjør til utkast"), permissions=["change"])
    def unpublish(self, request, queryset):
        self._each(
            request,
            queryset,
            coordination.service_unpublish,
            gettext("%(count)d gjort til utkast."),
        )

    # Every write goes through services.coordination: the critical facts of an emergency
    # listing (status, flag, phones, website, chat) wait there for a second coordinator.

    WAITING = _(
        "Endringen av %(listing)s venter på godkjenning fra en annen koordinator. "
        "Oppføringen vises som før til den er godkjent."
    )

    def _tell_waiting(self, request, service, change) -> None:
        if change is not None:
            self.message_user(request, self.WAITING % {"listing": service}, messages.WARNING)

    def save_model(self, request, obj, form, change):
        waiting = coordination.service_save(service=obj, user=request.user, reason="admin")
        self._tell_waiting(request, obj, waiting)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Phone:
            return super().save_formset(request, form, formset, change)
        rows = {
            phone.pk: (phone.position, {name: getattr(phone, name) for name in PHONE_FIELDS})
            for phone in form.instance.phones.all()
        }
        for index, phone_form in enumerate(formset.forms):
            key = phone_form.instance.pk or f"new-{index}"
            if phone_form in formset.deleted_forms:
                rows.pop(key, None)
            elif phone_form.has_changed() and phone_form.cleaned_data:
                data = phone_form.cleaned_data
                row = {name: data.get(name) or "" for name in PHONE_FIELDS}
                rows[key] = (data.get("position") or 0, row)
        proposed = [row for _position, row in sorted(rows.values(), key=lambda item: item[0])]
        waiting = coordination.phones_change(
            service=form.instance, user=request.user, phones=proposed
        )
        self._tell_waiting(request, form.instance, waiting)
        # Saved (or queued) by coordination: the admin's change message must not repeat it.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    def delete_model(self, request, obj):
        self._tell_waiting(
            request, obj, coordination.service_delete(service=obj, user=request.user)
        )

    def delete_queryset(self, request, queryset):
        for service in queryset.select_related("organisation"):
            self.delete_model(request, service)

    # Dashboard and spreadsheet views.

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("dashboard/", wrap(self.dashboard_view), name="services_dashboard"),
            path("export/", wrap(self.export_view), name="services_service_export"),
            path("import/", wrap(self.import_view), name="services_service_import"),
            *super().get_urls(),
        ]

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        insights.purge_unanswered_searches()
        services = self.get_queryset(request)
        overdue = (
            services.published()
            .filter(pk__in=Service.objects.review_due().values("pk"))
            .select_related("organisation__municipality")
            .order_by("last_verified_at", "name")
        )
        reports = ErrorReport.objects.filter(
            status=ErrorReport.Status.OPEN, service__in=services
        ).select_related("service")
        suggestions = ChangeSuggestion.objects.filter(
            status=ChangeSuggestion.Status.OPEN, service__in=services
        ).select_related("service")
        pending = coordination.pending_changes_for(
            request.user, PendingChange.objects.filter(status=PendingChange.Status.PENDING)
        ).select_related("service", "created_by")
        without_address = (
            coordination.organisations_for(request.user)
            .filter(email="", services__in=overdue)
            .annotate(due=Count("services", distinct=True))
            .order_by("name")
        )
        panels = []
        for dotted in getattr(settings, "COORDINATOR_DASHBOARD_PANELS", []):
            panel = import_string(dotted)(request, services)
            if panel:
                panels.append(panel)
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Oversikt for koordinator"),
            "opts": self.model._meta,
            "scope": coordination.scope_of(request.user),
            "scope_municipalities": Municipality.objects.filter(
                number__in=coordination.scope_of(request.user).municipalities
            ),
            "overdue_count": overdue.count(),
            "overdue": overdue[:25],
            "reports": reports[:25],
            "report_count": reports.count(),
            "suggestions": suggestions[:25],
            "suggestion_count": suggestions.count(),
            "pending": pending[:25],
            "pending_count": pending.count(),
            "without_address": without_address,
            "unanswered": insights.top_unanswered(coordination.scope_of(request.user)),
            "may_edit_vocabulary": may_edit_vocabulary(request.user),
            "panels": panels,
        }
        return TemplateResponse(request, "admin/services/dashboard.html", context)

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        response = HttpResponse(
            spreadsheet.export_csv(self.get_queryset(request)),
            content_type="text/csv; charset=utf-8",
        )
        response["Content-Disposition"] = 'attachment; filename="veiviser-tjenester.csv"'
        return response

    def import_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Importer tjenester fra regneark"),
            "opts": self.model._meta,
            "columns": spreadsheet.COLUMNS,
        }
        session_key = "veiviser_import_csv"
        if request.method == "POST" and "confirm" in request.POST:
            text = request.session.get(session_key)
            if not text:
                self.message_user(request, gettext("Last opp filen på nytt."), messages.ERROR)
                return HttpResponseRedirect(request.path)
            filename = request.session.get(f"{session_key}_name", "")
            report = spreadsheet.validate(text, user=request.user, filename=filename)
            if report.has_errors:
                context["report"] = report
                return TemplateResponse(request, "admin/services/import.html", context)
            try:
                result = spreadsheet.apply(report, user=request.user)
            except (PermissionDenied, ValidationError, IntegrityError) as error:
                # apply is one transaction: nothing of the file was written.
                context["report"] = report
                context["upload_error"] = gettext(
                    "Ingenting er lagret: %(error)s. Kontroller filen og prøv igjen."
                ) % {"error": "; ".join(getattr(error, "messages", [str(error)]))}
                return TemplateResponse(request, "admin/services/import.html", context)
            del request.session[session_key]
            self.message_user(
                request,
                gettext(
                    "Importert: %(created)d nye, %(updated)d endret, "
                    "%(pending)d endringer venter på godkjenning fra en annen koordinator."
                )
                % result,
                messages.SUCCESS,
            )
            return HttpResponseRedirect(reverse("admin:services_service_changelist"))
        if request.method == "POST":
            upload = request.FILES.get("file")
            if upload is None or upload.size > spreadsheet.MAX_BYTES:
                context["upload_error"] = gettext("Velg en CSV-fil på inntil 2 MB.")
            else:
                try:
                    text = upload.read().decode("utf-8-sig")
                except UnicodeDecodeError:
                    context["upload_error"] = gettext("Filen må være lagret som UTF-8.")
                else:
                    name = upload.name[:200]
                    report = spreadsheet.validate(text, user=request.user, filename=name)
                    context["report"] = report
                    if not report.has_errors:
                        request.session[session_key] = text
                        request.session[f"{session_key}_name"] = name
        return TemplateResponse(request, "admin/services/import.html", context)


# --- Queues -------------------------------------------------------------------------------


@admin.register(ErrorReport)
class ErrorReportAdmin(StewardScopedAdmin):
    organisation_path = "service__organisation__"
    list_display = ["service", "field", "status", "created_at", "steward"]
    list_filter = ["status"]
    search_fields = ["service__name", "message"]
    list_select_related = ["service__organisation__municipality"]
    fields = ["service_link", "field", "message", "contact", "status", "created_at", "handled_by"]
    readonly_fields = ["service_link", "field", "message", "contact", "created_at", "handled_by"]
    actions = ["resolve", "dismiss"]

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("forvaltes av"))
    def steward(self, obj):
        return obj.service.organisation.municipality or gettext("Nasjonal")

    @admin.display(description=_("tjeneste"))
    def service_link(self, obj):
        return format_html(
            '<a href="{}">{}</a> · <a href="{}">{}</a>',
            reverse("admin:services_service_change", args=[obj.service_id]),
            gettext("Rett opp oppføringen"),
            reverse("services:detail", args=[obj.service.slug]),
            obj.service,
        )

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data and obj.status != ErrorReport.Status.OPEN:
            obj.handled_by = request.user
            obj.handled_at = timezone.now()
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Merk som løst"), permissions=["change"])
    def resolve(self, request, queryset):
        for report in queryset.select_related("service__organisation"):
            coordination.error_report_resolve(report=report, user=request.user)

    @admin.action(description=_("Avvis"), permissions=["change"])
    def dismiss(self, request, queryset):
        for report in queryset.select_related("service__organisation"):
            coordination.error_report_dismiss(report=report, user=request.user)


class DecisionAdmin(StewardScopedAdmin):
    """A read-only queue item that a coordinator approves or rejects on its own page."""

    organisation_path = "service__organisation__"
    list_select_related = ["service__organisation__municipality"]
    list_filter = ["status"]
    search_fields = ["service__name"]
    change_form_template = "admin/services/decision_form.html"
    open_status = "pending"
    approve = reject = None

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields] + ["comparison"]

    def comparison_rows(self, obj):
        raise NotImplementedError

    @admin.display(description=_("nå og foreslått"))
    def comparison(self, obj):
        rows = [(label, old or "–", new or "–") for label, old, new in self.comparison_rows(obj)]
        body = format_html_join(
            "",
            "<tr><th scope='row'>{}</th><td class='veiviser-old'>{}</td>"
            "<td class='veiviser-new'>{}</td></tr>",
            rows,
        )
        return format_html(
            "<table class='veiviser-compare'><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr>"
            "</thead><tbody>{}</tbody></table>",
            gettext("Felt"),
            gettext("Nå"),
            gettext("Foreslått"),
            body,
        )

    @staticmethod
    def _service_url(request, service):
        """The listing's admin page for its steward; the public page for a national approver."""
        if coordination.scope_of(request.user).stewards(service):
            return reverse("admin:services_service_change", args=[service.pk])
        return reverse("services:detail", args=[service.slug])

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, object_id)
        if request.method == "POST" and obj is not None:
            if not self.has_change_permission(request, obj):
                raise PermissionDenied
            decision = "approve" if "_approve" in request.POST else "reject"
            function = self.approve if decision == "approve" else self.reject
            try:
                function(obj, request.user)
            except (PermissionDenied, ValidationError) as error:
                message = error.messages[0] if isinstance(error, ValidationError) else str(error)
                self.message_user(request, message, messages.ERROR)
                return HttpResponseRedirect(request.path)
            self.message_user(
                request,
                gettext("Godkjent og tatt i bruk.")
                if decision == "approve"
                else gettext("Avvist."),
                messages.SUCCESS,
            )
            return HttpResponseRedirect(
                reverse(f"admin:services_{self.model._meta.model_name}_changelist")
            )
        extra_context = {
            **(extra_context or {}),
            "is_open": obj is not None and obj.status == self.open_status,
            "service_url": obj and self._service_url(request, obj.service),
        }
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(PendingChange)
class PendingChangeAdmin(DecisionAdmin):
    list_display = ["service", "status", "created_by", "created_at", "decided_by"]
    fields = [
        "service",
        "comparison",
        "status",
        "created_by",
        "created_at",
        "decided_by",
        "decided_at",
    ]
    open_status = PendingChange.Status.PENDING

    def get_queryset(self, request):
        return coordination.pending_changes_for(
            request.user, admin.ModelAdmin.get_queryset(self, request)
        )

    def in_scope(self, request, obj):
        scope = coordination.scope_of(request.user)
        return scope.national or super().in_scope(request, obj)

    def comparison_rows(self, obj):
        return coordination.pending_change_rows(obj)

    @staticmethod
    def approve(obj, user):
        coordination.pending_change_approve(change=obj, user=user)

    @staticmethod
    def reject(obj, user):
        coordination.pending_change_reject(change=obj, user=user)


@admin.register(ChangeSuggestion)
class ChangeSuggestionAdmin(DecisionAdmin):
    list_display = ["service", "status", "created_at", "decided_by"]
    fields = ["service", "comparison", "note", "status", "created_by", "created_at", "decided_by"]
    open_status = ChangeSuggestion.Status.OPEN

    def comparison_rows(self, obj):
        return coordination.suggestion_rows(obj)

    @staticmethod
    def approve(obj, user):
        coordination.suggestion_approve(suggestion=obj, user=user)

    @staticmethod
    def reject(obj, user):
        coordination.suggestion_reject(suggestion=obj, user=user)


# --- Who is responsible -------------------------------------------------------------------


@admin.register(StewardContact)
class StewardContactAdmin(admin.ModelAdmin):
    list_display = ["role", "municipality", "email", "is_published", "notify_on_report"]

    def get_queryset(self, request):
        scope = coordination.scope_of(request.user)
        queryset = super().get_queryset(request)
        if scope.everything:
            return queryset
        q = Q(municipality__in=list(scope.municipalities))
        if scope.national:
            q |= Q(municipality__isnull=True)
        return queryset.filter(q)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        scope = coordination.scope_of(request.user)
        if db_field.name == "municipality" and not scope.everything:
            kwargs["queryset"] = Municipality.objects.filter(number__in=scope.municipalities)
            kwargs["required"] = not scope.national
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        exists = str(object_id).isdigit() and StewardContact.objects.filter(pk=int(object_id))
        if obj is None and exists and exists.exists():
            raise PermissionDenied
        return obj


@admin.register(CoordinatorScope)
class CoordinatorScopeAdmin(admin.ModelAdmin):
    list_display = ["user", "is_national", "municipality_list"]
    autocomplete_fields = ["user", "municipalities"]

    def save_model(self, request, obj, form, change):
        """An assigned coordinator can log in to the admin with the coordinator's permissions."""
        super().save_model(request, obj, form, change)
        obj.user.groups.add(coordination.coordinator_group())
        if not obj.user.is_staff:
            obj.user.is_staff = True
            obj.user.save(update_fields=["is_staff"])

    @admin.display(description=_("kommuner"))
    def municipality_list(self, obj):
        return ", ".join(m.name for m in obj.municipalities.all())


@admin.register(UnansweredSearch)
class UnansweredSearchAdmin(admin.ModelAdmin):
    list_display = ["query", "municipality", "week", "count"]
    list_filter = ["week"]
    search_fields = ["query"]

    def get_queryset(self, request):
        # The same rule as the dashboard: own municipalities, frequent texts only.
        scope = coordination.scope_of(request.user)
        return super().get_queryset(request) & insights.unanswered_for(
            scope, weeks=insights.RETENTION_DAYS // 7 + 1
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    filter_horizontal = ["services"]
