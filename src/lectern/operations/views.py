"""The page the staff banner links to: emails that failed or bounced, each with a retry."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from lectern.core import clock
from lectern.core.links import back_to
from lectern.core.permissions import Principal
from lectern.core.validators import record_id
from lectern.operations.selectors import messages_needing_attention, staff_alerts
from lectern.operations.services import messages_retry


@staff_member_required
def outbox_problems(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "operations/outbox_problems.html",
        {"problems": messages_needing_attention(), "alerts": staff_alerts(now=clock.now())},
    )


@staff_member_required
@require_POST
def outbox_retry(request: HttpRequest) -> HttpResponse:
    """Retry one email (`message_id`) or every failed one (no id); back where it was asked."""
    raw = request.POST.get("message_id", "")
    one = record_id(raw)
    ids = [one] if one is not None else None
    count = messages_retry(actor=Principal(user=request.user), ids=ids)  # type: ignore[arg-type]
    messages.success(request, f"{count} email(s) will be sent again within a minute.")
    return redirect(back_to(request, request.POST.get("next", ""), "operations:outbox"))
