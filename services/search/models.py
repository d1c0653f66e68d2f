"""The search index tables, shared by both backends.

`SearchDocument` holds, for each service, its index terms by weight class
(already folded and stemmed by `services.search.text`). PostgreSQL keeps a
weighted `tsvector` of them in `vector` (a trigger fills it, a GIN index serves
it); SQLite keeps an FTS5 table over the same columns (triggers keep it in
step). `SearchTerm` is the vocabulary with document frequencies: it serves
misspellings (trigram index / FTS5 trigram table), compounds and word weights.
"""

from django.contrib.postgres.search import SearchVectorField
from django.db import models


class SearchDocument(models.Model):
    service = models.OneToOneField(
        "services.Service",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="search_document",
    )
    name_terms = models.TextField(default="", blank=True)
    tag_terms = models.TextField(default="", blank=True)
    body_terms = models.TextField(default="", blank=True)
    extra_terms = models.TextField(default="", blank=True)
    # PostgreSQL only (filled by a trigger); stays NULL on SQLite.
    vector = SearchVectorField(null=True, editable=False)

    class Meta:
        app_label = "services"
        verbose_name = "søkedokument"
        verbose_name_plural = "søkedokumenter"

    def __str__(self) -> str:
        return f"search document {self.service_id}"

    def term_set(self) -> set[str]:
        return set(
            f"{self.name_terms} {self.tag_terms} {self.body_terms} {self.extra_terms}".split()
        )


class SearchTerm(models.Model):
    term = models.CharField(max_length=64, primary_key=True)
    df = models.IntegerField(default=0)

    class Meta:
        app_label = "services"
        verbose_name = "søkeord i indeksen"
        verbose_name_plural = "søkeord i indeksen"

    def __str__(self) -> str:
        return self.term
