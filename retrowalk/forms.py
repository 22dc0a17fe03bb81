from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.forms import PasswordResetForm as DjangoPasswordResetForm
from django.forms.renderers import Jinja2
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from retrowalk import units
from retrowalk.models import language_of

# The app's forms draw their widgets from Django's own Jinja2 copies of its widget templates
# (django/forms/jinja2): the same markup, rendered several times faster than by the Django template
# engine, which shows on pages of many inputs (the prescribing preview and the week adjustments
# have over a hundred). One instance, so its Jinja2 environment is built once. The admin keeps the
# default renderer: its own widgets exist only as Django templates.
WIDGET_RENDERER = Jinja2()


class PostedThroughMixin:
    """A form drawn apart from its <form> element, in a kept part of a page ({% cache %}), which must not hold
    the request's CSRF token: its inputs name the <form> drawn after the part (HTML's form attribute)."""

    def posted_through(self, form_id: str):
        for field in self.fields.values():
            field.widget.attrs["form"] = form_id
        return self


class LoginForm(AuthenticationForm):
    default_renderer = WIDGET_RENDERER

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs.update({"autocomplete": "username", "autofocus": True})
        self.fields["password"].widget.attrs.update({"autocomplete": "current-password"})
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Sign in"), css_class="btn-primary btn-lg w-100"))


def language_choices():
    return [("", _("The language my browser asks for")), *settings.LANGUAGES]


class PasswordResetForm(DjangoPasswordResetForm):
    """Django's, whose email speaks the account holder's language (their Settings), not the asker's."""

    def send_mail(self, subject_template_name, email_template_name, context, from_email, to_email, **kwargs):
        language = language_of(context["user"]) or translation.get_language()
        with translation.override(language):
            super().send_mail(subject_template_name, email_template_name, context, from_email, to_email, **kwargs)


class PreferencesForm(forms.Form):
    default_renderer = WIDGET_RENDERER
    language = forms.ChoiceField(
        label=_("Language"),
        choices=language_choices,
        required=False,
        help_text=_("The language of every page you see, and of your plan and emails."),
    )
    speed_unit = forms.ChoiceField(
        label=_("Show speeds in"),
        choices=units.UNIT_CHOICES,
        widget=forms.RadioSelect,
        help_text=_("Every speed you see and type uses this unit. Programs are stored in km/h."),
    )
