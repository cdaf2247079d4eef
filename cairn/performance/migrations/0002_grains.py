"""Cells by hour, London day and London month, with "all divisions" and "all channels" rows.

The cells are derived data: this migration empties them and the state row, and
the next catch-up (the periodic task, or the first dashboard read) folds the
whole event log in again, in the new shape.
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("performance", "0001_rollups")]

    operations = [
        migrations.RunSQL(
            "TRUNCATE performance_rollupcell; "
            "UPDATE performance_rollupstate SET snapshot = '', events_folded = 0;",
            reverse_sql=(
                "TRUNCATE performance_rollupcell; "
                "UPDATE performance_rollupstate SET snapshot = '', events_folded = 0;"
            ),
        ),
        migrations.RemoveConstraint(model_name="rollupcell", name="rollup_cell_key"),
        migrations.RenameField(model_name="rollupcell", old_name="hour", new_name="starts"),
        migrations.AlterField(
            model_name="rollupcell",
            name="starts",
            field=models.DateTimeField(
                help_text="The hour, or London midnight of the day or month."
            ),
        ),
        migrations.AddField(
            model_name="rollupcell",
            name="grain",
            field=models.CharField(
                choices=[("hour", "Hour"), ("day", "Day"), ("month", "Month")],
                default="day",
                max_length=5,
            ),
            preserve_default=False,
        ),
        migrations.AddConstraint(
            model_name="rollupcell",
            constraint=models.UniqueConstraint(
                fields=("grain", "measure", "channel", "division", "starts", "detail", "bucket"),
                name="rollup_cell_key",
            ),
        ),
    ]
