from pathlib import Path

import yaml
from django.conf import settings
from django.db import transaction

from cairn.places.models import CouncilArea, Division, Station

DIVISIONS_FILE = Path(settings.BASE_DIR) / "policy" / "divisions.yaml"


@transaction.atomic
def load_divisions(path: Path = DIVISIONS_FILE) -> int:
    """Create or update divisions, council areas and stations from the policy file."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in data["divisions"]:
        division, _ = Division.objects.update_or_create(
            code=entry["code"], defaults={"name": entry["name"]}
        )
        for gss_code, name in entry["councils"].items():
            CouncilArea.objects.update_or_create(
                gss_code=gss_code, defaults={"name": name, "division": division}
            )
        for station_name in entry["stations"]:
            Station.objects.get_or_create(division=division, name=station_name)
    return len(data["divisions"])
