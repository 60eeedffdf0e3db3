"""The queue page: flagged items by priority, filters, search, paging, keyboard triage."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from monitor.review import InvalidInput
from monitor.review.queue import QueueFilter, list_queue
from monitor.review.status import STATUSES
from monitor.store.tables import sources
from monitor.timefmt import parse_range

from .web import READERS, engine_of, needs, render

router = APIRouter()


def queue_filter(
    status: str = "flagged",
    label: str = "",
    source: str = "",
    assignee: str = "",
    since: str = "",
    until: str = "",
    q: str = "",
    page: int = 1,
    per_page: int = 50,
) -> QueueFilter:
    """The filter from query parameters (``status=all`` or empty: every status)."""
    statuses = tuple(s for s in status.split(",") if s and s != "all")
    try:
        start, end = parse_range(since, until)
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    return QueueFilter(
        statuses,
        label or None,
        source or None,
        assignee or None,
        start,
        end,
        q.strip()[:200],
        page,
        per_page,
    )


@router.get("/queue", include_in_schema=False)
def queue_page(
    request: Request, f: QueueFilter = Depends(queue_filter), session=needs(*READERS)
) -> Response:
    """The triage queue."""
    with engine_of(request).begin() as conn:
        result = list_queue(conn, f)
        source_list = conn.execute(sources.select().order_by(sources.c.name)).all()
    args = {k: v for k, v in request.query_params.items() if k in _PARAMS and k != "page"}
    return render(
        request,
        "queue.html",
        page=result,
        f=f,
        args=args,
        statuses=STATUSES,
        sources=source_list,
        status_arg=request.query_params.get("status", "flagged"),
    )


_PARAMS = {"status", "label", "source", "assignee", "since", "until", "q", "page", "per_page"}
