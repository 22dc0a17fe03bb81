from django.shortcuts import render

from patients.selectors import patients_for
from retrowalk.roles import require_clinician, require_patient

DASHBOARD_PATIENTS = 50


def dashboard(request):
    require_clinician(request.user)
    patients = patients_for(user=request.user).order_by("-updated_at", "id")
    return render(
        request,
        "programs/dashboard.html",
        {"patients": patients[:DASHBOARD_PATIENTS], "patient_count": patients.count()},
    )


def my_plan(request):
    require_patient(request.user)
    return render(request, "programs/my_plan.html")
