from django.db import migrations

from cairn.people.candidates_function import CREATE_FUNCTION, DROP_FUNCTION

# Records made before search_name existed get it from their primary name.
FILL_SEARCH_NAME = """
UPDATE people_person p SET search_name = n.normalised
  FROM people_personname n
 WHERE n.person_id = p.id AND n.kind = 'primary' AND p.search_name = ''
"""


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0003_person_search_name"),
    ]

    operations = [
        migrations.RunSQL(FILL_SEARCH_NAME, migrations.RunSQL.noop),
        migrations.RunSQL(CREATE_FUNCTION, DROP_FUNCTION),
    ]
