from django.apps import AppConfig


class RetrowalkConfig(AppConfig):
    name = "retrowalk"
    verbose_name = "retrowalk"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from retrowalk.middleware import stamp_sign_in

        user_logged_in.connect(stamp_sign_in, dispatch_uid="retrowalk.stamp_sign_in")
