from django import forms

from programs.models import Prescription


class PrescriptionForm(forms.ModelForm):
    """The prescription's own fields; the view sets patient and prescriber (never the client)."""

    class Meta:
        model = Prescription
        fields = [
            "template",
            "screening",
            "start_date",
            "starting_speed_kmh",
            "protection",
            "clinic_only",
            "harness",
            "both_rails",
            "therapist_sets_speed",
            "one_to_one",
        ]

    def __init__(self, *args, patient, prescriber, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.patient = patient
        self.instance.prescriber = prescriber
        self.fields["screening"].queryset = patient.screenings.all()
        self.fields["template"].queryset = patient.condition.templates.filter(is_active=True)
