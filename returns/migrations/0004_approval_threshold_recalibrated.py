"""The classifier's confidence is calibrated now (temperature scaling on held-out
folds), so the old default threshold 0.76 means far less certainty than it did.
A rule still at that untouched default moves to the new one (0.94, chosen for 99%
auto-accept precision); a threshold a manager set stays as it is."""

from django.db import migrations

OLD_DEFAULT = 0.76
NEW_DEFAULT = 0.94


def forwards(apps, schema_editor):
    ApprovalRule = apps.get_model("returns", "ApprovalRule")
    ApprovalRule.objects.filter(
        min_confidence__gte=OLD_DEFAULT - 1e-9, min_confidence__lte=OLD_DEFAULT + 1e-9
    ).update(min_confidence=NEW_DEFAULT)


class Migration(migrations.Migration):
    dependencies = [("returns", "0003_returnrequest_secondary_reasons")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
