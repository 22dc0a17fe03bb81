"""A template's words in each language (django-modeltranslation): its name, summary and warm-up, and each
week's note for the patient. The sources stay as written; every number stays one number.

The histories are registered here, after the translation fields exist, so that they keep every language.
"""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as register_history

from programs.models import ProgramTemplate, TemplateWeek


@register(ProgramTemplate)
class ProgramTemplateTranslation(TranslationOptions):
    fields = ("name", "summary", "warm_up")


@register(TemplateWeek)
class TemplateWeekTranslation(TranslationOptions):
    fields = ("note",)


register_history(ProgramTemplate)
register_history(TemplateWeek)
