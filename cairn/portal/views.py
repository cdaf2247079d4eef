from django.shortcuts import render


def home(request):
    return render(request, "portal/home.html")


def accessibility(request):
    return render(request, "portal/accessibility.html")


def privacy(request):
    return render(request, "portal/privacy.html")
