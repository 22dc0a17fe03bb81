"""The access log in the admin: searchable, filterable, and read-only for everyone.

django-axes' login logs get the same treatment; its lockouts (access attempts)
stay deletable, which is how an administrator unlocks an account early.
"""

from axes.admin import AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from retrowalk.models import AccessRecord


class ReadOnlyAdminMixin:
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


for model, model_admin in ((AccessLog, AccessLogAdmin), (AccessFailureLog, AccessFailureLogAdmin)):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
    admin.site.register(model, type(f"ReadOnly{model_admin.__name__}", (ReadOnlyAdminMixin, model_admin), {}))


@admin.register(AccessRecord)
class AccessRecordAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("at", "username", "action", "patient_public_id", "object_public_id", "ip_address")
    list_filter = ("action", "at")
    date_hierarchy = "at"
    search_fields = ("username", "=patient_public_id", "=object_public_id", "ip_address")
    search_help_text = _("A username, an address, or a patient record id or program id (exact).")
    list_select_related = False
    show_full_result_count = False
    readonly_fields = [f.name for f in AccessRecord._meta.fields]
