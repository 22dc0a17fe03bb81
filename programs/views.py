from django.shortcuts import render

from retrowalk.roles import require_clinician, require_patient


def dashboard(request):
    require_clinician(request.user)
    return render(request, "programs/dashboard.html")


def my_plan(request):
    require_patient(request.user)
    return render(request, "programs/my_plan.html")
