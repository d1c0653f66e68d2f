"""Search terms become lemmas read in each text's language (services/search/text.py).

The stored documents and the vocabulary hold terms of the old Norwegian stemmer, so
they are emptied here; `migrate`'s post_migrate handler (services/search/signals.py)
then rebuilds the whole index, as for a database that never had one. The documents
also keep each service's categories, target groups, languages and delivery modes, so
the candidate query reads them with the terms. On PostgreSQL
the stored vector is built with the `simple` configuration from now on: the terms are
prepared in Python, and a Norwegian stemmer there would fold English lemmas together.
"""

from django.db import migrations, models

from services.migrations import _search_vector


def _empty_index(apps, schema_editor):
    apps.get_model("services", "SearchDocument").objects.all().delete()
    apps.get_model("services", "SearchTerm").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("services", "0008_search_vocabulary"),
    ]

    operations = [
        migrations.AddField(
            model_name='searchdocument',
            name='category_slugs',
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='group_slugs',
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='language_codes',
            field=models.TextField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='searchdocument',
            name='mode_codes',
            field=models.TextField(blank=True, null=True),
        ),
        migrations.RunPython(_search_vector.use("simple"), _search_vector.use("norwegian")),
        migrations.RunPython(_empty_index, migrations.RunPython.noop),
    ]
