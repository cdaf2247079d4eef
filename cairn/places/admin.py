from django.contrib import admin

from cairn.places.models import CouncilArea, Division, Station


@admin.register(Division)
class DivisionAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(CouncilArea)
class CouncilAreaAdmin(admin.ModelAdmin):
    list_display = ("name", "gss_code", "division")
    list_filter = ("division",)


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("name", "division", "is_public_counter")
    list_filter = ("division",)
