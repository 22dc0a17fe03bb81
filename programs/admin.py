from django.contrib import admin
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from modeltranslation.admin import TranslationTabularInline

from programs import limits, services, template_rules
from programs.models import ProgramTemplate, TemplateWeek
from retrowalk import translated
from retrowalk.admin import TranslatedAdmin
from retrowalk.translated import in_each_language


class TemplateWeekFormSet(BaseInlineFormSet):
    """Weeks numbered 1..N without gaps, checked against the template's new values."""

    def _construct_form(self, i, **kwargs):
        form = super()._construct_form(i, **kwargs)
        # Validate each week against the caps being submitted, not the stored ones.
        form.instance.template = self.instance
        # A tabular inline shows its labels once, in the header row; each cell's
        # input needs its own name for screen readers ("Week 2: Bouts").
        row = (
            _("Week %(week)s") % {"week": form.instance.week}
            if form.instance.pk
            else _("New week row %(row)s") % {"row": i + 1}
        )
        for name, field in form.fields.items():
            if field.widget.is_hidden:  # the row's id and template: nothing to read out
                continue
            label = _("Delete") if name == "DELETE" else capfirst(field.label)
            field.widget.attrs.setdefault("aria-label", _("%(row)s: %(field)s") % {"row": row, "field": label})
        return form

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        numbers = [
            form.cleaned_data["week"]
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and "week" in form.cleaned_data
        ]
        problems = template_rules.check_week_numbers(self.instance.caps, numbers)
        if problems:
            raise ValidationError([p.message for p in problems], code="week_numbers")

    def week_data(self) -> list[services.WeekData]:
        weeks = []
        for form in self.forms:
            data = form.cleaned_data
            if not data or data.get("DELETE"):
                continue
            notes = {code: data[translated.column("note", code)] or "" for code in translated.LANGUAGES}
            plan = {name: data[name] for name in services.WEEK_FIELDS if name != "note"}
            weeks.append(services.WeekData(**plan, note=notes[translated.SOURCE], notes=notes))
        return weeks


class TemplateWeekInline(TranslationTabularInline):
    model = TemplateWeek
    formset = TemplateWeekFormSet
    extra = 0
    min_num = 1
    max_num = limits.MAX_WEEKS

    def get_formset(self, request, obj=None, **kwargs):
        # A template has at most MAX_WEEKS weeks: a post claiming more forms is refused with a message
        # before they are built (Django would build up to a thousand, each validated on its own).
        kwargs.setdefault("absolute_max", limits.MAX_WEEKS)
        return super().get_formset(request, obj, **kwargs)

    fields = (
        "week",
        "sessions",
        "bouts",
        "bout_minutes",
        "rest_minutes",
        "speed_fraction",
        "incline_pct",
        "support",
        "note",  # a column per language
    )


def _no_note(code: str) -> Q:
    column = f"week_rows__{translated.column('note', code)}"
    return Q(**{column: ""}) | Q(**{f"{column}__isnull": True})


@admin.register(ProgramTemplate)
class ProgramTemplateAdmin(TranslatedAdmin):
    inlines = [TemplateWeekInline]
    list_display = (
        "name",
        "condition",
        "version",
        "is_active",
        "weeks",
        "sessions_per_week",
        "defaults_for_clinical_review",
        "missing_translations",
    )
    list_filter = ("condition", "is_active", "defaults_for_clinical_review")
    search_fields = in_each_language("name")
    readonly_fields = ("version", "lineage", "supersedes")
    # Each language side by side, English first: the source the others translate.
    fieldsets = (
        (None, {"fields": ("condition", "is_active", "defaults_for_clinical_review")}),
        TranslatedAdmin.languages("name", "summary", "warm_up"),
        (_("Length"), {"fields": ("weeks", "sessions_per_week")}),
        (
            _("Caps"),
            {"fields": ("max_speed_kmh", "max_incline_pct", "max_session_minutes", "max_start_speed_kmh")},
        ),
        (
            _("Progression"),
            {
                "fields": (
                    "starting_speed_rule",
                    "speed_step_fraction",
                    "duration_first",
                    "advance_max_pain",
                    "advance_max_pain_rise",
                    "advance_max_rpe",
                    "advance_min_adherence_pct",
                )
            },
        ),
        (_("Evidence"), {"fields": ("sources",)}),
        (_("Version"), {"fields": ("version", "lineage", "supersedes")}),
    )

    def get_queryset(self, request):
        # For the list's "missing translations": how many week notes, English but untranslated, each language lacks.
        written = ~_no_note(translated.SOURCE)
        missing = {
            f"notes_missing_{code}": Count("week_rows", filter=written & _no_note(code))
            for code in translated.TRANSLATIONS
        }
        return super().get_queryset(request).annotate(**missing)

    def more_missing(self, obj):
        notes = {code: getattr(obj, f"notes_missing_{code}", 0) for code in translated.TRANSLATIONS}
        return {
            code: [ngettext("%(count)s week note", "%(count)s week notes", count) % {"count": count}]
            for code, count in notes.items()
            if count
        }

    def has_change_permission(self, request, obj=None):
        # A superseded version is history: readable, never edited.
        if obj is not None and not obj.is_active and hasattr(obj, "superseded_by"):
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        # Saved together with its weeks in save_related, through the service, so
        # a template in use becomes a new version instead of changing.
        pass

    def save_related(self, request, form, formsets, change):
        week_formset = next(f for f in formsets if isinstance(f, TemplateWeekFormSet))
        services.template_save(template=form.instance, weeks=week_formset.week_data(), by=request.user)
        # The weeks were saved by the service; the admin's change message reads these.
        week_formset.new_objects, week_formset.changed_objects, week_formset.deleted_objects = [], [], []

    def response_change(self, request, obj):
        edited = request.resolver_match.kwargs.get("object_id")
        new_version = edited is not None and str(obj.pk) != str(edited)
        if new_version:
            self.message_user(
                request,
                _(
                    "Prescriptions already use version %(old)s, so your changes were saved as "
                    "version %(new)s. Version %(old)s stays unchanged for those prescriptions."
                )
                % {"old": obj.version - 1, "new": obj.version},
            )
        response = super().response_change(request, obj)
        if new_version and "_continue" in request.POST:
            # Django continues on the page just posted, which is now the superseded,
            # read-only version; the editor continues on the version just saved.
            opts = self.opts
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
            response["Location"] = add_preserved_filters(
                {"preserved_filters": self.get_preserved_filters(request), "opts": opts}, url
            )
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = extra_context or {}
        obj = self.get_object(request, object_id)
        if obj is not None:
            extra_context["template_in_use"] = obj.is_in_use()
        return super().change_view(request, object_id, form_url, extra_context)
