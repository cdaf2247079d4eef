"""The public open data page: headline measures by month and division, and its CSV."""

from django.http import HttpResponse
from django.shortcuts import render

from cairn.performance.exports import CSV_TYPE, to_csv
from cairn.places.models import Division
from cairn.portal.open_data.table import COLUMNS, SMALLEST, published_rows


def open_data(request):
    names = dict(Division.objects.values_list("code", "name"))
    rows = [(row, names.get(row.division, row.division)) for row in published_rows()]
    return render(request, "portal/open_data/page.html", {"rows": rows, "smallest": SMALLEST})


def open_data_csv(request):
    """The same rows as the page, with stable English column names for reuse."""
    content = to_csv(COLUMNS, [row.cells() for row in published_rows()])
    response = HttpResponse(content, content_type=CSV_TYPE)
    response["Content-Disposition"] = 'attachment; filename="cairn-open-data.csv"'
    return response
