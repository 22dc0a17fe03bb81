"""A URL conf with a view that fails, to see the 500 page a user would get."""

from django.urls import include, path


def failing_view(request):
    # As a real failure would: the message carries data read at run time (a patient's name when there is one).
    from patients.models import Patient

    patient = Patient.objects.order_by("pk").first()
    raise RuntimeError(f"boom: failure with patient {patient.full_name if patient else 'unknown'}")


def database_down_view(request):
    # What Django raises when the connection pool cannot reach PostgreSQL.
    from django.db import OperationalError

    raise OperationalError("couldn't get a connection after 10.00 sec")


urlpatterns = [
    path("fail/", failing_view),
    path("database-down/", database_down_view),
    path("", include("retrowalk.urls")),
]

handler500 = "retrowalk.views.server_error"
