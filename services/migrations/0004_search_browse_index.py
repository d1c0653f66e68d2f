"""An index for listing services by name without words (the results page's browse order)."""

from django.db import migrations

FORWARD = "CREATE INDEX IF NOT EXISTS services_service_status_name ON services_service (status, name)"
BACKWARD = "DROP INDEX IF EXISTS services_service_status_name"


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0003_merge_search_index"),
    ]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
