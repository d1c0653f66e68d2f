"""The results page's filters as a django-filter FilterSet.

The search applies it to the published services before ranking, so filtering
and search share one queryset. Several options checked in one group must all
hold (a service in both categories), so each option's count is exactly the
number of results that checking it would give.

The options (categories, target groups, languages, delivery modes) are read
once by the search and handed in: the form fields then validate against them
without further queries, and the template renders them by hand (Django's form
widgets cost tens of milliseconds a page).
"""

from __future__ import annotations

import re

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from services.models import Service
from services.opening import open_now_q, open_now_sql

MUNICIPALITY_RE = re.compile(r"^[0-9]{4}$")

# For `row_condition`: group → (through table, its column, option table or None, option key).
_MULTI_SQL = {
    "category": ("services_service_categories", "category_id", "services_category", "slug"),
    "target_group": (
        "services_service_target_groups",
        "targetgroup_id",
        "services_targetgroup",
        "slug",
    ),
    "language": ("services_service_languages", "language_id", None, None),
    "delivery_mode": ("services_service_delivery_modes", "deliverymode_id", None, None),
}
YES, NO = "yes", "no"

# Boolean filters: parameter name → (model field, label).
FLAGS = {
    "free": ("is_free", _("Gratis")),
    "anonymous": ("anonymous_possible", _("Kan brukes anonymt")),
    "open_now": (None, _("Åpent nå")),
}


class AllOfFilter(django_filters.MultipleChoiceFilter):
    """Every checked option must hold (a service in each of the checked categories)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("conjoined", True)
        kwargs.setdefault("widget", forms.MultipleHiddenInput)
        super().__init__(*args, **kwargs)


class ServiceFilter(django_filters.FilterSet):
    category = AllOfFilter(field_name="categories__slug", label=_("Tema"))
    target_group = AllOfFilter(field_name="target_groups__slug", label=_("Hvem er det for"))
    language = AllOfFilter(field_name="languages__code", label=_("Språk"))
    delivery_mode = AllOfFilter(field_name="delivery_modes__code", label=_("Kontaktform"))
    referral = django_filters.ChoiceFilter(
        choices=[(YES, _("Krever henvisning")), (NO, _("Uten henvisning"))],
        method="filter_referral",
        label=_("Henvisning"),
    )
    free = django_filters.BooleanFilter(method="filter_flag", widget=forms.CheckboxInput)
    anonymous = django_filters.BooleanFilter(method="filter_flag", widget=forms.CheckboxInput)
    open_now = django_filters.BooleanFilter(method="filter_open_now", widget=forms.CheckboxInput)
    municipality = django_filters.CharFilter(method="filter_municipality", label=_("Kommune"))

    class Meta:
        model = Service
        fields = []

    def __init__(self, data=None, queryset=None, *, options=None, municipality=None, now=None):
        """`options` maps a group to its (value, label) choices; `municipality` is the
        resolved Municipality (or None); `now` the moment "open now" refers to."""
        super().__init__(data, queryset if queryset is not None else Service.objects.published())
        self.municipality_obj = municipality
        self.now = now
        for name, choices in (options or {}).items():
            if name in self.filters:
                self.filters[name].extra["choices"] = choices
                self.form.fields[name].choices = choices

    def filter_referral(self, queryset, name, value):
        # An unknown requirement (NULL) matches neither answer.
        if value == YES:
            return queryset.filter(referral_required=True)
        if value == NO:
            return queryset.filter(referral_required=False)
        return queryset

    def filter_flag(self, queryset, name, value):
        if value:
            return queryset.filter(**{FLAGS[name][0]: True})
        return queryset

    def filter_open_now(self, queryset, name, value):
        return queryset.filter(open_now_q(self.now)) if value else queryset

    def filter_municipality(self, queryset, name, value):
        if self.municipality_obj is None:
            return queryset
        return queryset.for_municipality(self.municipality_obj)

    def row_condition(self, alias: str, coverage: bool = True) -> tuple[str, list]:
        """The filters (published services only) as raw SQL over one row of services_service
        aliased `alias`: the same rules as the filter methods above, written so that the
        database checks them with a few primary-key and index look-ups per candidate row
        instead of building the whole filtered set (the search checks them on its bounded
        candidates; tests/services/test_search_filters.py holds both forms equal).
        `coverage=False` leaves the municipality out, for a caller that reads the
        municipality's, county's and national services separately."""
        self.is_valid()
        data = getattr(self.form, "cleaned_data", {})
        parts = [f"{alias}.status = %s"]
        params: list = [Service.Status.PUBLISHED]
        for name, (through, column, table, key) in _MULTI_SQL.items():
            for value in data.get(name) or []:
                if table:
                    parts.append(
                        f"EXISTS (SELECT 1 FROM {through} t JOIN {table} o ON o.id = t.{column} "
                        f"WHERE t.service_id = {alias}.id AND o.{key} = %s)"
                    )
                else:
                    parts.append(
                        f"EXISTS (SELECT 1 FROM {through} t "
                        f"WHERE t.service_id = {alias}.id AND t.{column} = %s)"
                    )
                params.append(value)
        referral = data.get("referral")
        if referral == YES:
            parts.append(f"{alias}.referral_required")
        elif referral == NO:
            parts.append(f"NOT {alias}.referral_required")
        for flag in ("free", "anonymous"):
            if data.get(flag):
                parts.append(f"{alias}.{FLAGS[flag][0]}")
        if data.get("open_now"):
            sql, p = open_now_sql(alias, self.now)
            parts.append(sql)
            params += p
        if coverage and data.get("municipality") and self.municipality_obj is not None:
            parts.append(
                f"({alias}.coverage_national OR EXISTS (SELECT 1 FROM "
                f"services_service_coverage_municipalities cm WHERE cm.service_id = {alias}.id "
                "AND cm.municipality_id = %s) OR EXISTS (SELECT 1 FROM "
                f"services_service_coverage_counties cc WHERE cc.service_id = {alias}.id "
                "AND cc.county_id = %s))"
            )
            params += [self.municipality_obj.number, self.municipality_obj.county_id]
        return " AND ".join(f"({p})" for p in parts), params

    def coverage_ids(self) -> tuple[str, list] | None:
        """The services covering the chosen municipality (national ones, its own and its
        county's) as a query of ids read through indexes, or None without a municipality:
        exactly the municipality part of `row_condition`. A small set (national services
        are few), so a search can check its words on these rows instead of checking the
        filters on every row its words match."""
        self.is_valid()
        data = getattr(self.form, "cleaned_data", {})
        if not data.get("municipality") or self.municipality_obj is None:
            return None
        return (
            "SELECT id FROM services_service WHERE coverage_national "
            "UNION SELECT service_id FROM services_service_coverage_municipalities "
            "WHERE municipality_id = %s "
            "UNION SELECT service_id FROM services_service_coverage_counties WHERE county_id = %s",
            [self.municipality_obj.number, self.municipality_obj.county_id],
        )
