"""Form fields shared by the apps."""

from decimal import Decimal

from django import forms
from django.utils.formats import localize
from django.utils.translation import gettext_lazy as _

from retrowalk import units


class SpeedField(forms.DecimalField):
    """A speed typed in the user's unit and the reader's way (2,5 in Spanish); cleans to km/h (rounded to 0.1).

    ``min_kmh``/``max_kmh`` bound the stored value; errors quote the limit in the user's unit. A text input
    with a decimal keypad, since a number input would take only the browser's own decimal mark.
    """

    def __init__(self, *, unit: str, min_kmh: Decimal = Decimal("0.1"), max_kmh: Decimal | None = None, **kwargs):
        self.unit = unit
        self.min_kmh = min_kmh
        self.max_kmh = None
        kwargs.setdefault("max_digits", 4)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("localize", True)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")
        if max_kmh is not None:
            self.set_max_kmh(max_kmh)

    def set_max_kmh(self, max_kmh: Decimal) -> None:
        self.max_kmh = max_kmh

    def prepare_value(self, value):
        if isinstance(value, Decimal):
            return units.to_unit(value, self.unit)
        return value

    def clean(self, value):
        typed = super().clean(value)
        if typed is None:
            return None
        kmh = units.to_kmh(typed, self.unit)
        label = units.unit_label(self.unit)
        if kmh < self.min_kmh:
            raise forms.ValidationError(
                _("The speed must be at least %(speed)s %(unit)s."),
                code="speed_min",
                params={"speed": localize(units.to_unit(self.min_kmh, self.unit)), "unit": label},
            )
        if self.max_kmh is not None and kmh > self.max_kmh:
            shown = units.format_speed(self.max_kmh, self.unit)
            params = {"typed": localize(typed), "unit": label, "cap": shown, "cap_kmh": localize(self.max_kmh)}
            if self.unit != units.KMH:
                raise forms.ValidationError(
                    _("%(typed)s %(unit)s is above the cap of %(cap)s (%(cap_kmh)s km/h)."),
                    code="speed_max",
                    params=params,
                )
            raise forms.ValidationError(
                _("%(typed)s %(unit)s is above the cap of %(cap)s."), code="speed_max", params=params
            )
        return kmh


class _LoadedChoices(forms.models.ModelChoiceIterator):
    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.rows:
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.rows) + (self.field.empty_label is not None)

    def __bool__(self):
        return self.field.empty_label is not None or bool(self.field.rows)


class LoadedModelChoiceField(forms.ModelChoiceField):
    """A model choice among rows read once by the view: the select and its clean use the same rows, no query.

    (A ModelChoiceField queries to draw its options, every time they are drawn, and again to clean.)
    """

    iterator = _LoadedChoices

    def __init__(self, **kwargs):
        super().__init__(queryset=None, **kwargs)
        self.rows: list = []

    def set_rows(self, rows: list) -> list:
        self.rows = rows
        self.widget.choices = self.choices  # the widget's copy would read the class's field
        return rows

    def to_python(self, value):
        if value in self.empty_values:
            return None
        for obj in self.rows:
            if str(obj.pk) == str(value):
                return obj
        raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
