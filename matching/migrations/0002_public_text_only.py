"""Match documents read only a technology's public text (catalog.visibility): the stored
technology profiles, built with the confidential description, are dropped (they are rebuilt on
the next run as missing), and so are the "shared terms" reasons of stored matches, which could
quote words of that description; the next matching run writes them again from public text."""

from django.db import migrations

TEXT_REASON_MARKERS = ("共同术语", "shared terms")


def forget_confidential_text(apps, schema_editor):
    TechnologyMatchProfile = apps.get_model("matching", "TechnologyMatchProfile")
    Match = apps.get_model("matching", "Match")
    TechnologyMatchProfile.objects.all().delete()
    changed = []
    fields = ["reasons_zh", "reasons_en", "components"]
    for match in Match.objects.only("pk", *fields).iterator(chunk_size=1000):
        zh = [r for r in match.reasons_zh or [] if not _quotes_terms(r)]
        en = [r for r in match.reasons_en or [] if not _quotes_terms(r)]
        text = (match.components or {}).get("text")
        quoted = isinstance(text, dict) and (
            _quotes_terms(text.get("reason_zh", "")) or _quotes_terms(text.get("reason_en", ""))
        )
        if zh != (match.reasons_zh or []) or en != (match.reasons_en or []) or quoted:
            match.reasons_zh, match.reasons_en = zh, en
            if quoted:
                text.update(reason_zh="文本相关度", reason_en="Text relevance")
            changed.append(match)
        if len(changed) >= 1000:
            Match.objects.bulk_update(changed, fields)
            changed = []
    if changed:
        Match.objects.bulk_update(changed, fields)


def _quotes_terms(reason: str) -> bool:
    return any(marker in (reason or "") for marker in TEXT_REASON_MARKERS)


class Migration(migrations.Migration):
    dependencies = [
        ("matching", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forget_confidential_text, migrations.RunPython.noop),
    ]
