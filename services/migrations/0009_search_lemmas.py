"""Search terms become lemmas read in each text's language (services/search/text.py).

The stored documents and the vocabulary hold terms of the old Norwegian stemmer, so
they are emptied here; `migrate`'s post_migrate handler (services/search/signals.py)
then rebuilds the whole index, as for a database that never had one. On PostgreSQL
the stored vector is built with the `simple` configuration from now on: the terms are
prepared in Python, and a Norwegian stemmer there would fold English lemmas together.
"""

from django.db import migrations

from services.migrations import _search_vector


def _empty_index(apps, schema_editor):
    apps.get_model("services", "SearchDocument").objects.all().delete()
    apps.get_model("services", "SearchTerm").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0008_search_vocabulary"),
    ]

    operations = [
        migrations.RunPython(_search_vector.use("simple"), _search_vector.use("norwegian")),
        migrations.RunPython(_empty_index, migrations.RunPython.noop),
    ]
