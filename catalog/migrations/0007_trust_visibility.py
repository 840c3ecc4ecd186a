"""Only public fields in the search index; history notes carry who may read them.

The search vectors are rebuilt without the confidential description (the search entries follow
through their triggers), so a word found only in the confidential text no longer finds the
listing. Existing history notes become visible only to the holder and reviewers, except the
names of public attachments."""

from django.db import migrations, models

BATCH = 500


def rebuild_search_vectors(apps, schema_editor):
    from catalog.search import SEARCHED_FIELDS, technology_weighted_texts, tsvector_literal

    Technology = apps.get_model("catalog", "Technology")
    rows = Technology.objects.order_by("pk").values_list("pk", *SEARCHED_FIELDS)
    batch = []
    for pk, *values in rows.iterator(chunk_size=BATCH):
        technology = Technology(pk=pk)
        fields = dict(zip(SEARCHED_FIELDS, values, strict=True))
        technology.search_vector = tsvector_literal(technology_weighted_texts(fields))
        batch.append(technology)
        if len(batch) >= BATCH:
            Technology.objects.bulk_update(batch, ["search_vector"])
            batch = []
    if batch:
        Technology.objects.bulk_update(batch, ["search_vector"])


def public_attachment_notes(apps, schema_editor):
    TechnologyEvent = apps.get_model("catalog", "TechnologyEvent")
    TechnologyAttachment = apps.get_model("catalog", "TechnologyAttachment")
    public = TechnologyAttachment.objects.filter(confidential=False)
    confidential = TechnologyAttachment.objects.filter(confidential=True)
    for event in TechnologyEvent.objects.filter(action="attach").only("technology_id", "note"):
        same = {"technology_id": event.technology_id, "name": event.note}
        if public.filter(**same).exists() and not confidential.filter(**same).exists():
            TechnologyEvent.objects.filter(pk=event.pk).update(note_clearance=0)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0006_search_result_cache"),
    ]

    operations = [
        migrations.AddField(
            model_name="technologyevent",
            name="note_clearance",
            field=models.PositiveSmallIntegerField(default=2),
        ),
        migrations.RunPython(public_attachment_notes, migrations.RunPython.noop),
        migrations.RunPython(rebuild_search_vectors, migrations.RunPython.noop),
    ]
