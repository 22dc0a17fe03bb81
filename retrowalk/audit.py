"""The access log: one call per page that shows a chart or a plan.

Written (and committed: requests run in autocommit) before the page is
rendered, so a page whose access cannot be recorded is not shown: the error
reaches the user as an error page, never as the chart. Change history (who changed what,
old and new values) is django-simple-history's, on each audited model.
"""

from __future__ import annotations

from uuid import UUID

from retrowalk.models import AccessAction, AccessRecord
from retrowalk.security import client_ip


def access_record(request, action: AccessAction, *, patient_id: UUID, object_id: UUID | None = None) -> AccessRecord:
    user = request.user
    return AccessRecord.objects.create(
        user=user,
        username=user.get_username(),
        action=action,
        patient_public_id=patient_id,
        object_public_id=object_id,
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )
