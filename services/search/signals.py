"""Signals that keep the search index current (see `index.py`)."""

from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete
from django.dispatch import receiver

from services.models import Category, Organisation, Service, TargetGroup
from services.search import index, vocabulary
from services.search.models import Concept, ConceptTerm, SearchDocument


@receiver(post_save, sender=Service, dispatch_uid="search_service_saved")
def service_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        index.reindex([instance.pk])


@receiver(pre_delete, sender=Service, dispatch_uid="search_service_deleted")
def service_deleted(sender, instance, **kwargs):
    index.remove([instance.pk])


def _related_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:
        if action in {"post_add", "post_remove", "post_clear"}:
            index.reindex([instance.pk])
    elif action == "pre_clear":
        # Which services lose this category is only known before the clear.
        instance._search_cleared = list(instance.services.values_list("pk", flat=True))
    elif action == "post_clear":
        index.reindex(getattr(instance, "_search_cleared", []))
    elif action in {"post_add", "post_remove"}:
        index.reindex(list(pk_set or ()))


# Languages and delivery modes are kept in the document for the candidate query.
for _field in ("categories", "target_groups", "languages", "delivery_modes"):
    m2m_changed.connect(
        _related_changed,
        sender=getattr(Service, _field).through,
        dispatch_uid=f"search_{_field}_changed",
    )


@receiver(post_save, sender=Organisation, dispatch_uid="search_organisation_saved")
def organisation_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:
        index.reindex(list(instance.services.values_list("pk", flat=True)))


@receiver(post_save, sender=Category, dispatch_uid="search_category_saved")
@receiver(post_save, sender=TargetGroup, dispatch_uid="search_target_group_saved")
def label_saved(sender, instance, created, raw=False, **kwargs):
    if not created and not raw:
        index.reindex(list(instance.services.values_list("pk", flat=True)))


@receiver(post_migrate, dispatch_uid="search_index_after_migrate")
def index_unindexed_services(sender, app_config, using="default", **kwargs):
    """Index services that have no search document after `migrate`.

    A database whose services predate the search tables (or lost its index)
    would otherwise answer every search with nothing until each listing is
    saved again; `migrate` heals it, as a deploy always runs it.
    """
    if app_config.label != "services":
        return
    indexed = SearchDocument.objects.using(using).values("service_id")
    missing = list(
        Service.objects.using(using).exclude(pk__in=indexed).values_list("pk", flat=True)
    )
    if missing and not indexed.exists():
        index.rebuild()  # also recounts the vocabulary from scratch
    else:
        index.reindex(missing)


@receiver(post_migrate, dispatch_uid="search_vocabulary_after_migrate")
def seed_vocabulary(sender, app_config, using="default", **kwargs):
    """A new installation starts with the seed vocabulary (services/search/concepts.toml)."""
    if app_config.label == "services" and not Concept.objects.using(using).exists():
        vocabulary.load_seed()


def _vocabulary_changed(sender, **kwargs):
    vocabulary.clear()


for _model in (Concept, ConceptTerm, Category, TargetGroup):
    post_save.connect(
        _vocabulary_changed, sender=_model, dispatch_uid=f"vocabulary_{_model.__name__}_saved"
    )
    post_delete.connect(
        _vocabulary_changed, sender=_model, dispatch_uid=f"vocabulary_{_model.__name__}_deleted"
    )
for _field in ("categories", "target_groups", "lines"):
    m2m_changed.connect(
        _vocabulary_changed,
        sender=getattr(Concept, _field).through,
        dispatch_uid=f"vocabulary_{_field}_changed",
    )
