"""The directory is kept in the admin. Referrals are not shown here: they hold personal data
and are read through the audited pages (cairn/workspace/partners/)."""

from django.contrib import admin

from cairn.partners.models import (
    Agency,
    AgencyApiClient,
    AgencyMembership,
    PartnerService,
    WebhookDelivery,
)


class PartnerServiceInline(admin.TabularInline):
    model = PartnerService
    extra = 0


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "contact_route", "is_active", "slug")
    list_filter = ("contact_route", "is_active")
    search_fields = ("name", "slug")
    # The signing secret is never shown: set it with partners.services.new_webhook_secret.
    exclude = ("webhook_secret",)
    readonly_fields = ("has_webhook_secret",)
    inlines = [PartnerServiceInline]

    @admin.display(boolean=True, description="Webhook secret set")
    def has_webhook_secret(self, agency: Agency) -> bool:
        return bool(agency.webhook_secret)


@admin.register(PartnerService)
class PartnerServiceAdmin(admin.ModelAdmin):
    list_display = ("name", "agency", "service_type", "is_active")
    list_filter = ("service_type", "is_active")
    search_fields = ("name", "agency__name")


@admin.register(AgencyMembership)
class AgencyMembershipAdmin(admin.ModelAdmin):
    list_display = ("user", "agency")


@admin.register(AgencyApiClient)
class AgencyApiClientAdmin(admin.ModelAdmin):
    list_display = ("client", "agency")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(admin.ModelAdmin):
    """Deliveries carry references and links only; read-only, for seeing what failed."""

    list_display = ("delivery_id", "agency", "event", "status", "attempts", "last_status_code")
    list_filter = ("status", "event")
    readonly_fields = [field.name for field in WebhookDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
