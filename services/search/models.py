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

from services.models import Persona


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
    # What a candidate brings for the ranking and the facet counts, kept with the terms so
    # the candidate query reads one row instead of four correlated look-ups per service.
    # Nullable so that adding them is an ALTER TABLE on SQLite, not a rebuilt table that
    # would lose the FTS5 triggers (migrations 0002, 0009).
    category_slugs = models.TextField(null=True, blank=True)  # noqa: DJ001
    group_slugs = models.TextField(null=True, blank=True)  # noqa: DJ001
    language_codes = models.TextField(null=True, blank=True)  # noqa: DJ001
    mode_codes = models.TextField(null=True, blank=True)  # noqa: DJ001
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
    # The readable word behind the term (its lemma), shown in "Mente du …?".
    # Nullable for the same reason: SQLite keeps the table and its trigram triggers.
    word = models.CharField(max_length=64, null=True, blank=True)  # noqa: DJ001

    class Meta:
        app_label = "services"
        verbose_name = "søkeord i indeksen"
        verbose_name_plural = "søkeord i indeksen"

    def __str__(self) -> str:
        return self.term


class Urgency(models.TextChoices):
    """How urgent a situation is; each kind has the lines an acute query shows first."""

    NOW = "now", "nå (gjør en situasjon akutt, men ikke et overgrep: «hva gjør jeg nå»)"
    RECENT = "recent", "nettopp (i natt, i går: gjør også et overgrep akutt)"
    DANGER = "danger", "fare nå"
    SUICIDE = "suicide", "selvmordsfare"
    MEDICAL = "medical", "akutt sykdom eller skade"
    SEXUAL_ASSAULT = "sexual_assault", "nylig voldtekt eller overgrep"
    CHILD_DANGER = "child_danger", "barn i fare"


class Concept(models.Model):
    """A situation people describe in their own words, and what the search does with it.

    `terms` are the words and phrases people write (nb, nn, en); `finds` the words
    listings use for it; `categories` and `target_groups` the part of the catalogue it
    is about. `persona` says who the person is; `urgency` how acute it is, and `lines`
    the services an acute query shows first (emergency lines first, then by name; a
    local emergency listing of the same kind as a national one comes before it).
    """

    slug = models.SlugField("kortnavn", max_length=80, unique=True)
    name = models.CharField("navn", max_length=120)
    persona = models.CharField("hvem spør", max_length=20, choices=Persona.choices, blank=True)
    urgency = models.CharField("hast", max_length=20, choices=Urgency.choices, blank=True)
    acute_alone = models.BooleanField(
        "akutt alene",
        default=True,
        help_text="Av: situasjonen er akutt bare sammen med et «nå»-ord (i natt, akkurat nå).",
    )
    weight = models.FloatField(
        "vekt", default=1.0, help_text="Hvor mye begrepet teller i et søk (1 = vanlig)."
    )
    finds = models.TextField(
        "søker også etter",
        blank=True,
        help_text="Ord og uttrykk som tjenestene bruker, skilt med komma.",
    )
    categories = models.ManyToManyField("services.Category", blank=True, verbose_name="tema")
    target_groups = models.ManyToManyField(
        "services.TargetGroup", blank=True, verbose_name="målgrupper"
    )
    lines = models.ManyToManyField(
        "services.Service",
        blank=True,
        related_name="first_line_for",
        verbose_name="vises først ved akutt søk",
    )
    is_active = models.BooleanField("i bruk", default=True)
    updated_at = models.DateTimeField("endret", auto_now=True)

    class Meta:
        app_label = "services"
        ordering = ["name"]
        verbose_name = "søkebegrep"
        verbose_name_plural = "søkebegreper"

    def __str__(self) -> str:
        return self.name


class ConceptTerm(models.Model):
    """A word or phrase, in one language, that means a concept."""

    LANGUAGES = [("nb", "bokmål"), ("nn", "nynorsk"), ("en", "engelsk")]

    concept = models.ForeignKey(Concept, on_delete=models.CASCADE, related_name="terms")
    language = models.CharField("språk", max_length=2, choices=LANGUAGES, default="nb")
    text = models.CharField("ord eller uttrykk", max_length=120)

    class Meta:
        app_label = "services"
        ordering = ["language", "text"]
        verbose_name = "ord eller uttrykk"
        verbose_name_plural = "ord og uttrykk"
        constraints = [
            models.UniqueConstraint(
                fields=["concept", "language", "text"], name="concept_term_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.text} ({self.language})"
