from django.db import migrations


class Migration(migrations.Migration):
    """DealEvent joins the one event model (core.models.TransitionEvent): its stage columns
    are named like every other workflow's."""

    dependencies = [
        ("exchange", "0002_deal_certificate_dealevent_dealmessage_dealdocument_and_more"),
    ]

    operations = [
        migrations.RenameField(
            model_name="dealevent", old_name="from_stage", new_name="from_status"
        ),
        migrations.RenameField(model_name="dealevent", old_name="to_stage", new_name="to_status"),
    ]
