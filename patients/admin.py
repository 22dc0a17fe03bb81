from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from patients.models import Condition


@admin.register(Condition)
class ConditionAdmin(SimpleHistoryAdmin):
    list_display = ("name", "code", "screening_population")
    search_fields = ("name", "code")
    fields = ("name", "code", "screening_population", "description", "sources")

    def get_readonly_fields(self, request, obj=None):
        # The code is how the product recognises the shipped conditions; fix it once patients use it.
        if obj is not None and obj.patients.exists():
            return ("code",)
        return ()


# Patient charts are not browsed in the admin (SECURITY.md "Access"): Patient is not registered.
