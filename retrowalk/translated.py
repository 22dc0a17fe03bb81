"""The clinical text the administrator writes, in each language (django-modeltranslation).

Each translated field (a condition's name, a template's warm-up, ...) has one column per language in
``settings.MODELTRANSLATION_LANGUAGES``: ``name_en``, ``name_es``. Reading ``condition.name`` gives the
reader's language, or English where there is no translation yet. English is the source: the text a
template was written and versioned in; the other languages translate it.
"""

from __future__ import annotations

from django.conf import settings
from django.db.models import F, Model, TextField, Value
from django.db.models.expressions import Expression
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname, get_language, resolution_order

SOURCE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
LANGUAGES: tuple[str, ...] = tuple(settings.MODELTRANSLATION_LANGUAGES)
TRANSLATIONS: tuple[str, ...] = tuple(code for code in LANGUAGES if code != SOURCE)


def column(field: str, code: str) -> str:
    """The column that holds ``field`` in a language: ("warm_up", "es") → "warm_up_es"."""
    return build_localized_fieldname(field, code)


def in_language(path: str) -> Expression:
    """``path`` (a translated field, maybe through relations: "condition__name") as a query expression in
    the active language, falling back to English where it is empty, as reading the attribute does."""
    columns = [NullIf(F(column(path, code)), Value("")) for code in resolution_order(get_language())]
    # Each language's column is a field class of its own (modeltranslation's): the result is text.
    return Coalesce(*columns, output_field=TextField()) if len(columns) > 1 else columns[0]


def translated_fields(model: type[Model]) -> tuple[str, ...]:
    """The model's translated fields ("name", "description"), in the model's order."""
    registered = translator.get_options_for_model(model).fields
    return tuple(field.name for field in model._meta.fields if field.name in registered)


def translation_columns(model: type[Model]) -> frozenset[str]:
    """The model's columns in the languages other than English: what translating it writes."""
    return frozenset(column(field, code) for field in translated_fields(model) for code in TRANSLATIONS)


def in_each_language(field: str) -> tuple[str, ...]:
    """The field's columns, English first: one row of the admin's form, each language side by side."""
    return tuple(column(field, code) for code in LANGUAGES)


def missing_text(obj: Model, *, more: dict[str, list[str]] | None = None) -> str:
    """What is not yet translated, language by language, for the admin's list: "Spanish: name, summary,
    2 week notes" (``more``: further gaps by language, already worded). Empty when nothing is missing."""
    parts = []
    for code in TRANSLATIONS:
        names = [
            str(obj._meta.get_field(field).verbose_name)
            for field in translated_fields(type(obj))
            if getattr(obj, column(field, SOURCE)) and not getattr(obj, column(field, code))
        ] + (more or {}).get(code, [])
        if names:
            parts.append(
                _("%(language)s: %(missing)s")
                % {"language": get_language_info(code)["name_translated"], "missing": ", ".join(names)}
            )
    return "; ".join(parts)
