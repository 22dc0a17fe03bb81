"""A URL conf with a view that fails, to see the 500 page a user would get."""

from django.urls import include, path


def failing_view(request):
    raise RuntimeError("boom: Traceback-worthy failure with patient Jane Secret")


urlpatterns = [
    path("fail/", failing_view),
    path("", include("retrowalk.urls")),
]
