from django.db import migrations, models


class Migration(migrations.Migration):
    """The next release's schema change (the rehearsal's --release): one more column."""

    dependencies = [("probe", "0001_initial")]
    operations = [
        migrations.AddField(model_name="visit", name="note", field=models.CharField(max_length=200, default="")),
    ]
