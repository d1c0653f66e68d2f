# Joins the search index (0002_search_index) and the coordinator's tables, made in parallel.
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0002_search_index"),
        ("services", "0002_changesuggestion_coordinatorscope_historicallocation_and_more"),
    ]

    operations = []
