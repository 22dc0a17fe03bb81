"""A condition's words in each language (django-modeltranslation): its name and the description that
clinicians and patients read. The sources stay as written.

The history is registered here, after the translation fields exist, so that it keeps every language.
"""

from modeltranslation.translator import TranslationOptions, register
from simple_history import register as register_history

from patients.models import Condition


@register(Condition)
class ConditionTranslation(TranslationOptions):
    fields = ("name", "description")


register_history(Condition)
