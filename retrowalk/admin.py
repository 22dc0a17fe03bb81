"""The access log in the admin: searchable, filterable, and read-only for everyone.

django-axes' login logs get the same treatment; its lockouts (access attempts)
stay deletable, which is how an administrator unlocks an account early.
"""

from axes.admin import AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessFailureLog, AccessLog
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin
from simple_history.admin import SimpleHistoryAdmin

from retrowalk import translated
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


class TranslatedAdmin(SimpleHistoryAdmin, TranslationAdmin):
    """Clinical text in each language (retrowalk.translated): edited side by side, English first, and the
    list's "missing translations" says what is not yet translated."""

    @staticmethod
    def languages(*fields: str) -> tuple:
        """The fieldset that sets each field's languages side by side (static/css/admin.css)."""
        return (
            _("Words, in each language"),
            {
                "classes": ("rw-languages",),
                "description": _("English is the source; an empty translation shows the English."),
                "fields": tuple(translated.in_each_language(field) for field in fields),
            },
        )

    def more_missing(self, obj) -> dict[str, list[str]]:
        """Further untranslated parts of ``obj`` by language, worded for the list (its rows, say)."""
        return {}

    @admin.display(description=_("missing translations"))
    def missing_translations(self, obj):
        return translated.missing_text(obj, more=self.more_missing(obj))
