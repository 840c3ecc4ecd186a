from django.db import migrations, models


def stored_text_as_message(apps, schema_editor):
    """Rows written before messages were stored keep their text as their message: nothing says
    which message id produced it, so every reader sees it as it was written."""
    Notification = apps.get_model("notifications", "Notification")

    def as_json(field: str) -> models.Func:
        return models.Func(models.F(field), function="to_jsonb", output_field=models.JSONField())

    Notification.objects.filter(title_message__isnull=True).update(title_message=as_json("title"))
    Notification.objects.filter(body_message__isnull=True).update(body_message=as_json("body"))


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0002_notification_messages"),
    ]

    operations = [
        migrations.RunPython(stored_text_as_message, migrations.RunPython.noop),
    ]
