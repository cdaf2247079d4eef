from django.db.models import QuerySet

from cairn.places.models import Division


def divisions() -> QuerySet:
    return Division.objects.order_by("code")
