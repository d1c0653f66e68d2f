from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from services.models import (
    Category,
    County,
    DeliveryMode,
    ErrorReport,
    Language,
    Location,
    Membership,
    Municipality,
    OpeningHours,
    Organisation,
    Phone,
    Service,
    TargetGroup,
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
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name_nb", "name_nn", "name_en", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["slug", "name_nb", "name_nn", "name_en"]
    prepopulated_fields = {"slug": ["name_nb"]}


@admin.register(TargetGroup)
class TargetGroupAdmin(admin.ModelAdmin):
    list_display = ["name_nb", "name_nn", "name_en", "slug", "position"]
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


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "municipality", "email", "is_demo"]
    list_filter = ["type", "is_demo", ("municipality", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug", "municipality__name"]
    autocomplete_fields = ["municipality"]
    list_select_related = ["municipality"]


class PhoneInline(admin.TabularInline):
    model = Phone
    extra = 0
    fields = ["number", "label_nb", "label_en", "position"]


class LocationInline(admin.StackedInline):
    model = Location
    extra = 0
    autocomplete_fields = ["municipality"]
    fields = [
        ("kind", "is_confidential"),
        "street",
        ("postal_code", "city", "municipality"),
        ("latitude", "longitude"),
        ("note_nb", "note_en"),
        ("accessibility_nb", "accessibility_en"),
    ]


class OpeningHoursInline(admin.TabularInline):
    model = OpeningHours
    extra = 0
    fields = ["weekday", "opens", "closes", "closes_next_day"]


@admin.register(Service)
class ServiceAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "organisation",
        "status",
        "is_emergency",
        "accepts_electronic_referrals",
        "last_verified_at",
        "updated_at",
    ]
    list_filter = [
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
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation", "coverage_municipalities", "coverage_counties"]
    filter_horizontal = ["categories", "target_groups", "languages", "delivery_modes"]
    readonly_fields = ["uuid", "created_at", "updated_at", "last_verified_at", "verified_by"]
    inlines = [PhoneInline, LocationInline, OpeningHoursInline]
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


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    list_display = ["service", "field", "status", "created_at"]
    list_filter = ["status"]
    search_fields = ["service__name", "message"]
    list_select_related = ["service"]
    autocomplete_fields = ["service"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "is_active"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__username", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    filter_horizontal = ["services"]
