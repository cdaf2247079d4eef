from django.contrib.postgres.indexes import GinIndex, GistIndex
from django.db import models


class Division(models.Model):
    """A local policing division, e.g. "E" Edinburgh."""

    code = models.CharField(max_length=4, primary_key=True)
    name = models.CharField(max_length=80, unique=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"


class CouncilArea(models.Model):
    """A local authority, by its GSS code; each lies in one division."""

    gss_code = models.CharField(max_length=9, primary_key=True)
    name = models.CharField(max_length=80)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="council_areas")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Station(models.Model):
    name = models.CharField(max_length=120)
    division = models.ForeignKey(Division, on_delete=models.PROTECT, related_name="stations")
    is_public_counter = models.BooleanField(default=True)

    class Meta:
        ordering = ["division", "name"]
        constraints = [
            models.UniqueConstraint(fields=["division", "name"], name="station_unique_in_division")
        ]

    def __str__(self) -> str:
        return self.name


def grid_point() -> models.Func:
    """``point(easting, northing)``: the expression the nearest-postcode index is built on.

    A query must order by exactly this expression (``<-> point(e, n)``) for
    PostgreSQL to walk the GiST index instead of scanning the table.
    """
    return models.Func(models.F("easting"), models.F("northing"), function="point")


class Postcode(models.Model):
    """One UK postcode from the ONS Postcode Directory, with where it is.

    ``council_area`` is set only for the council areas we hold (policy/divisions.yaml);
    ``local_authority_code`` keeps the directory's own code for every postcode, so an
    English, Welsh or Northern Irish postcode still says whose it is.

    Nearest postcode to a point is a K-nearest-neighbour walk of a GiST index on
    ``point(easting, northing)`` (``ORDER BY point(...) <-> point(e, n) LIMIT 1``),
    built into PostgreSQL with no extension. British National Grid metres are flat
    and in metres, so the distance it returns is the distance (within ~0.04 % over
    Great Britain): no great-circle arithmetic, and the radius in ``within_m`` means
    what it says. The alternative, cube/earthdistance on latitude and longitude,
    would need two more extensions for no gain here. Postcodes without a grid
    reference (Channel Islands, Isle of Man) are left out of the index.
    """

    postcode = models.CharField(max_length=8, primary_key=True)  # "EH1 1YZ"
    council_area = models.ForeignKey(
        CouncilArea,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # looked up by postcode, never by council area
    )
    local_authority_code = models.CharField(max_length=9, blank=True, default="")
    easting = models.FloatField(null=True, blank=True)  # OSGB36 / British National Grid
    northing = models.FloatField(null=True, blank=True)
    latitude = models.FloatField(null=True, blank=True)  # WGS84
    longitude = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["postcode"]
        indexes = [
            GistIndex(
                grid_point(),
                name="postcode_nearest",
                condition=models.Q(easting__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return self.postcode


class GazetteerAddress(models.Model):
    """One address from a force's own gazetteer (loaded by ``manage.py load_gazetteer``).

    ``normalised`` is the address in lower case with punctuation folded to spaces;
    a GIN trigram index on it lets a handler find "12 high st" in millions of rows.
    """

    uprn = models.BigIntegerField(unique=True)  # Unique Property Reference Number
    address_text = models.CharField(max_length=400)
    normalised = models.CharField(max_length=400)
    postcode = models.CharField(max_length=8, blank=True, default="")
    easting = models.FloatField()
    northing = models.FloatField()
    latitude = models.FloatField()
    longitude = models.FloatField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["uprn"]
        indexes = [
            GinIndex(
                fields=["normalised"], name="gazetteer_normalised_trgm", opclasses=["gin_trgm_ops"]
            )
        ]

    def __str__(self) -> str:
        return self.address_text
