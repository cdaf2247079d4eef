from django.db import connection
from django.http import JsonResponse


def healthz(request):
    """200 when the database answers, 503 when it does not. No details leak."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:
        return JsonResponse({"status": "unavailable"}, status=503)
    return JsonResponse({"status": "ok"})
