"""The HSDS 3 API under /api/hsds/ (no language prefix, no trailing slash after the root)."""

from django.urls import path

from services.hsds import api

app_name = "hsds"

urlpatterns = [
    path("", api.root, name="root"),
    path("services", api.services, name="services"),
    path("services/<str:id>", api.service, name="service"),
    path("organizations", api.organizations, name="organizations"),
    path("organizations/<str:id>", api.organization, name="organization"),
    path("taxonomies", api.taxonomies, name="taxonomies"),
    path("taxonomies/<str:id>", api.taxonomy, name="taxonomy"),
    path("taxonomy_terms", api.taxonomy_terms, name="taxonomy_terms"),
    path("taxonomy_terms/<str:id>", api.taxonomy_term, name="taxonomy_term"),
    path("service_at_locations", api.service_at_locations, name="service_at_locations"),
    path("service_at_locations/<str:id>", api.service_at_location, name="service_at_location"),
    path("profile/", api.profile_index, name="profile"),
    path("profile/<str:kind>/<str:name>", api.profile_document, name="profile_document"),
]
