from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from patients.models import Condition, ScreeningPolicy
from retrowalk.admin import TranslatedAdmin
from retrowalk.translated import in_each_language


class ScreeningPolicyInline(admin.StackedInline):
    model = ScreeningPolicy
    can_delete = False
    extra = 1
    max_num = 1
    verbose_name = _("screening policy (cutoffs and validity window, CLINICAL.md section 4)")
    fieldsets = (
        (
            None,
            {
                "description": _(
                    "An empty cutoff means the test has no validated cutoff for this population: it is "
                    "recorded, not judged. Changes apply to screenings recorded from now on; recorded screenings keep "
                    "the outcome they were given."
                ),
                "fields": [f.name for f in ScreeningPolicy._meta.concrete_fields if f.name not in ("id", "condition")],
            },
        ),
    )


@admin.register(ScreeningPolicy)
class ScreeningPolicyAdmin(SimpleHistoryAdmin):
    list_display = ("condition", "validity_days", "suited_instruments")

    def has_add_permission(self, request):
        return False  # added with its condition

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Condition)
class ConditionAdmin(TranslatedAdmin):
    inlines = [ScreeningPolicyInline]
    list_display = ("name", "code", "screening_population", "missing_translations")
    search_fields = (*in_each_language("name"), "code")
    # Each language side by side, English first; the sources stay as written.
    fieldsets = (
        (None, {"fields": ("code", "screening_population")}),
        TranslatedAdmin.languages("name", "description"),
        (_("Evidence"), {"fields": ("sources",)}),
    )

    def get_readonly_fields(self, request, obj=None):
        # The code is how the product recognises the shipped conditions; fix it once patients use it.
        if obj is not None and obj.patients.exists():
            return ("code",)
        return ()


# Patient charts are not browsed in the admin (SECURITY.md "Access"): Patient is not registered.
