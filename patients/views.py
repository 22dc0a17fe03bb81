from django.views.generic import TemplateView

from retrowalk.roles import ClinicianRequiredMixin


class PatientListView(ClinicianRequiredMixin, TemplateView):
    template_name = "patients/patient_list.html"
