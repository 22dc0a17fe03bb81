"""The app's URLs and one more: the benchmark's reference page."""

from django.urls import path

from retrowalk.urls import handler400, handler403, handler404, handler500
from retrowalk.urls import urlpatterns as app_urlpatterns
from tests.bench import views

urlpatterns = [path("bench/reference/", views.reference, name="bench_reference"), *app_urlpatterns]

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]
