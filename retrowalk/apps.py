from django.apps import AppConfig


class RetrowalkConfig(AppConfig):
    name = "retrowalk"
    verbose_name = "retrowalk"
