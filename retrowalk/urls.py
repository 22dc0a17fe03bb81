"""The root URL conf: the one place, with settings, that knows every app."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

from retrowalk import two_factor, views
from retrowalk.forms import LoginForm, PasswordResetForm

admin.site.site_header = _("retrowalk administration")
admin.site.site_title = _("retrowalk admin")
admin.site.index_title = _("Conditions, templates and accounts")

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("sw.js", views.service_worker, name="service_worker"),
    path("manifest.webmanifest", views.web_manifest, name="web_manifest"),
    path("offline/", views.offline_page, name="offline"),
    path(
        "accounts/login/",
        views.LoginView.as_view(authentication_form=LoginForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", views.LogoutView.as_view(), name="logout"),
    path("accounts/password-change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "accounts/password-change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password-reset/",
        auth_views.PasswordResetView.as_view(form_class=PasswordResetForm),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/preferences/", views.preferences, name="preferences"),
    # The language menu before signing in (base.html): Django's view, open to everyone.
    path("i18n/setlang/", login_not_required(set_language), name="set_language"),
    path("accounts/two-factor/", two_factor.setup, name="two_factor_setup"),
    path("accounts/two-factor/verify/", two_factor.verify, name="two_factor_verify"),
    path("accounts/two-factor/backup-codes/", two_factor.backup_codes, name="two_factor_backup_codes"),
    path("accounts/two-factor/turn-off/", two_factor.turn_off, name="two_factor_turn_off"),
    path("admin/", admin.site.urls),
    path("patients/", include("patients.urls")),
    path("portal/", include("patients.portal_urls")),
    path("", include("programs.urls")),
]

handler400 = "retrowalk.views.bad_request"
handler403 = "retrowalk.views.permission_denied"
handler404 = "retrowalk.views.page_not_found"
handler500 = "retrowalk.views.server_error"
