"""The performance overview and a page per measure, with CSV and XLSX downloads.

Everything shown is read from the rollups (cairn/performance/tables.py): counts
and times, never a person, so these pages write no consultation audit rows; a
refusal is audited, as on the other staff pages.
"""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from cairn.accounts.roles import Capability, has_capability
from cairn.audit.models import Operation, Outcome
from cairn.audit.services import record
from cairn.performance.charts import bar_chart
from cairn.performance.exports import CSV_TYPE, XLSX_TYPE, to_csv, to_xlsx
from cairn.performance.measures import MEASURE_LIST, MEASURES
from cairn.performance.tables import compare, hours_of_day, queue_status, series
from cairn.workspace.performance.forms import filter_form
from cairn.workspace.performance.headlines import OVERVIEW_CODES, grade_mix, headlines
from cairn.workspace.performance.measure_page import (
    breakdown_tables,
    daily_table,
    grain_for,
    hour_table,
    summary,
)

EXPORTS = {"csv": CSV_TYPE, "xlsx": XLSX_TYPE}


def _require(request) -> None:
    if not has_capability(request.user, Capability.VIEW_PERFORMANCE):
        record(Operation.ACCESS_DENIED, object_type="performance", outcome=Outcome.DENIED)
        raise PermissionDenied


def _measure_or_404(code: str):
    if code not in MEASURES:
        raise Http404
    return MEASURES[code]


def _query_string(form) -> str:
    data = form.cleaned_data
    return urlencode(
        {
            "first": data["first"].isoformat(),
            "last": data["last"].isoformat(),
            "division": data.get("division") or "",
            "channel": data.get("channel") or "",
        }
    )


@never_cache
def overview(request):
    _require(request)
    form = filter_form(request)
    context = {"form": form, "error_links": form.error_links(), "measures": MEASURE_LIST}
    if form.is_valid():
        period, filters = form.period(), form.filters()
        comparison = compare(OVERVIEW_CODES, period, filters)
        context |= {
            "period": period,
            "previous": period.previous(),
            "headlines": headlines(comparison),
            "grades": grade_mix(comparison),
            "query": _query_string(form),
        }
    if has_capability(request.user, Capability.REVIEW_TRIAGE):
        filters = form.filters() if form.is_valid() else None
        queue = queue_status(filters)
        context["queue"] = queue
        if queue.longest_wait is not None:
            context["queue_minutes"] = int(queue.longest_wait.total_seconds() // 60)
    return render(request, "workspace/performance/overview.html", context)


@never_cache
def measure(request, code: str):
    _require(request)
    found = _measure_or_404(code)
    form = filter_form(request)
    context = {"form": form, "error_links": form.error_links(), "measure": found}
    if form.is_valid():
        period, filters = form.period(), form.filters()
        comparison = compare([code], period, filters, dimensions=("division", "channel", "detail"))
        grain = grain_for(period)
        table = daily_table(found, series(code, period, filters, grain, fold=False), grain)
        context |= {
            "period": period,
            "previous": period.previous(),
            "summary": summary(found, comparison),
            "table": table,
            "chart": bar_chart(
                table.chart_bars(),
                title=table.chart_title,
                description=table.chart_description,
                chart_id=f"chart-{code}",
            ),
            "breakdowns": [
                *breakdown_tables(found, comparison),
                *filter(None, [hour_table(hours_of_day(code, period, filters))]),
            ],
            "query": _query_string(form),
        }
    return render(request, "workspace/performance/measure.html", context)


@never_cache
def export(request, code: str, file_format: str):
    """The measure page's daily table as a file: the same rows, nothing more."""
    _require(request)
    found = _measure_or_404(code)
    if file_format not in EXPORTS:
        raise Http404
    form = filter_form(request)
    if not form.is_valid():
        return render(
            request,
            "workspace/performance/measure.html",
            {"form": form, "error_links": form.error_links(), "measure": found},
            status=400,
        )
    period, filters = form.period(), form.filters()
    grain = grain_for(period)
    table = daily_table(found, series(code, period, filters, grain), grain)
    if file_format == "csv":
        content = to_csv(table.headers, table.rows)
    else:
        content = to_xlsx(table.headers, table.rows, sheet=code)
    response = HttpResponse(content, content_type=EXPORTS[file_format])
    name = f"{code}-{period.first:%Y%m%d}-{period.last:%Y%m%d}.{file_format}"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
