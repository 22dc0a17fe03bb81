from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm

from retrowalk import units


class LoginForm(AuthenticationForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Sign in", css_class="btn-primary btn-lg w-100"))


class PreferencesForm(forms.Form):
    speed_unit = forms.ChoiceField(
        label="Show speeds in",
        choices=units.UNIT_CHOICES,
        widget=forms.RadioSelect,
        help_text="Every speed you see and type uses this unit. Programs are stored in km/h.",
    )
