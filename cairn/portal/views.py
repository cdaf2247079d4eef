from django.shortcuts import render


def home(request):
    return render(request, "portal/home.html")


def accessibility(request):
    return render(request, "portal/accessibility.html")


def privacy(request):
    return render(request, "portal/privacy.html")


def csrf_failure(request, reason=""):
    """Shown when a form's security token is missing or stale (usually an old tab)."""
    return render(request, "403_csrf.html", status=403)
