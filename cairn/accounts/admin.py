"""The administrator's screens for staff accounts and teams; every change is audited."""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin

from cairn.accounts import lockout
from cairn.accounts.models import AccountLock, StaffUser, Team
from cairn.audit.models import Operation
from cairn.audit.services import record


class AuditedAdmin(admin.ModelAdmin):
    """Writes a collection/alteration/erasure audit event for every admin change."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        record(
            Operation.ALTERATION if change else Operation.COLLECTION,
            object_type=obj._meta.model_name,
            object_id=obj.pk,
            fields=form.changed_data,
        )

    def delete_model(self, request, obj):
        record(Operation.ERASURE, object_type=obj._meta.model_name, object_id=obj.pk)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record(Operation.ERASURE, object_type=obj._meta.model_name, object_id=obj.pk)
        super().delete_queryset(request, queryset)


@admin.register(StaffUser)
class StaffUserAdmin(AuditedAdmin, UserAdmin):
    list_display = ("username", "first_name", "last_name", "role", "team", "division", "is_active")
    list_filter = ("role", "division", "is_active")
    fieldsets = (
        *UserAdmin.fieldsets,
        ("Cairn", {"fields": ("role", "team", "division")}),
    )
    add_fieldsets = (
        *UserAdmin.add_fieldsets,
        ("Cairn", {"fields": ("role", "team", "division")}),
    )


@admin.register(Team)
class TeamAdmin(AuditedAdmin):
    list_display = ("name", "division")


@admin.register(AccountLock)
class AccountLockAdmin(admin.ModelAdmin):
    """Locked usernames; an administrator can lift a lock early."""

    list_display = ("username_key", "locked_at", "locked_until")
    actions = ["unlock_selected"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.action(description="Unlock the selected accounts")
    def unlock_selected(self, request, queryset):
        count = sum(lockout.unlock(lock.username_key, by=request.user) for lock in queryset)
        self.message_user(request, f"Unlocked {count} account(s).", messages.SUCCESS)
