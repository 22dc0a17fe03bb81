"""The floor: a signed-in page in the app's layout with a plain 20-row table from one query.

Every page of the benchmark is compared with this one, measured in the same run, so the
ratio says what a page costs beyond what any hand-written Django page costs on this stack.
"""

from pathlib import Path

from django.http import HttpResponse
from django.template import engines
from django.views.decorators.http import require_safe

from patients.models import Patient

_TEMPLATE = engines["django"].from_string((Path(__file__).parent / "reference.html").read_text())


@require_safe
def reference(request):
    rows = Patient.objects.filter(care_team=request.user).order_by("last_name", "first_name", "id")
    rows = rows.values_list("record_number", "last_name", "first_name", "date_of_birth")[:20]
    return HttpResponse(_TEMPLATE.render({"rows": rows}, request))
