from django.urls import path

from patients import portal_views

app_name = "portal"

urlpatterns = [
    path("welcome/<str:token>/", portal_views.portal_welcome, name="welcome"),
    path("set-password/", portal_views.portal_set_password, name="set_password"),
]
