"""Admin pages for reading: the completion dashboard, the question log, the documents and the audit.

Officers and admins see these (admins alone see the audit trail). Reports come from the core
(``reports``), which checks the role again and writes the audit row for each privileged view; the
lists of questions, documents and duties are plain reads of the catalogue (:mod:`knowledge.catalogue`)
and of the question log (:mod:`bot.core.answers.question_log`).
"""

from __future__ import annotations

from aiohttp import web

from bot.channels.web.base import ADMIN, OFFICER, Viewer, not_found, render, route, state_of, to_date, to_int
from bot.channels.web.charts import Bar, completion_chart
from bot.core.answers import curated, question_log
from bot.core.errors import UserError
from bot.core.evidence import assignments, reports
from bot.core.numbers import format_number
from bot.core.roster import audit, roster
from knowledge.catalogue import list_documents, list_duties

QUESTION_LIMIT = 300
PENDING_LIMIT = 2000
CHART_DEPTH = 1  # the chart shows the top two levels of units; the table below shows them all


@route(OFFICER)
def dashboard(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin[?on=YYYY-MM-DD]: every assignment with its completion (by today's unit tree, or
    by the tree of that day), and the figures an officer checks first."""
    app = state_of(request).app
    on = to_date(request.query.get("on"))  # carried to each assignment's page (totals are the same in any tree)
    items = [{"assignment": a, "total": reports.totals(app, a)} for a in assignments.list_assignments(app)]
    unanswered = question_log.question_counts(app)[1]
    counts, linked = roster.member_counts(app)
    return render(
        request,
        viewer,
        "dashboard.html",
        items=items,
        unanswered=unanswered,
        people=sum(counts.values()),
        linked=linked,
        on=on.isoformat() if on else "",
    )


@route(OFFICER)
def assignment_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/assignments/{id}: completion per unit as a chart and a table, with drill-down."""
    app = state_of(request).app
    assignment_id = to_int(request.match_info["id"])
    if assignment_id is None:
        return not_found(request, viewer, "Không có đợt quán triệt này.")
    on = to_date(request.query.get("on"))  # by the unit tree of that day (units merged since)
    try:
        progress = reports.progress(app, viewer.person, assignment_id, on=on)
    except UserError as exc:
        return not_found(request, viewer, exc.message)
    base = f"/admin/assignments/{assignment_id}/pending"
    bars = [
        Bar(
            u.name,
            u.percent,
            f"{format_number(u.confirmed)}/{format_number(u.assigned)}",
            href=f"{base}?unit={u.unit_id}" if u.unit_id is not None else base,
            depth=u.depth,
        )
        for u in progress.units
        if u.depth <= CHART_DEPTH
    ]
    title = f"Tỷ lệ hoàn thành quán triệt {progress.assignment.document.label} theo đơn vị"
    return render(
        request,
        viewer,
        "assignment.html",
        progress=progress,
        chart=completion_chart(bars, title),
        pending_url=base,
        message=request.query.get("ok"),
        on=on.isoformat() if on else "",
    )


@route(OFFICER)
def pending_people(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/assignments/{id}/pending?unit=U: who in that unit has not confirmed yet."""
    app = state_of(request).app
    assignment_id = to_int(request.match_info["id"])
    unit_id = to_int(request.query.get("unit"))
    assignment = assignments.get_assignment(app, assignment_id) if assignment_id else None
    if assignment is None:
        return not_found(request, viewer, "Không có đợt quán triệt này.")
    try:
        people = reports.not_confirmed(app, viewer.person, assignment.id, unit_id, limit=PENDING_LIMIT + 1)
    except UserError as exc:
        return not_found(request, viewer, exc.message)
    unit = roster.UnitIndex(app.db).units.get(unit_id) if unit_id is not None else None
    unit_name = unit.name if unit else None
    return render(
        request,
        viewer,
        "pending.html",
        assignment=assignment,
        people=people[:PENDING_LIMIT],
        truncated=len(people) > PENDING_LIMIT,
        unit_name=unit_name,
    )


@route(OFFICER)
def questions(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/questions: the question log, unanswered questions first (material for an FAQ)."""
    app = state_of(request).app
    only_unanswered = request.query.get("loc") == "chua"
    rows = question_log.recent_questions(app, only_unanswered, QUESTION_LIMIT)
    total, unanswered = question_log.question_counts(app)
    return render(
        request,
        viewer,
        "questions.html",
        rows=rows,
        curated=curated.answered_ids(app, [r["id"] for r in rows]),
        message=request.query.get("ok"),
        only_unanswered=only_unanswered,
        total=total,
        unanswered=unanswered,
    )


@route(OFFICER)
def documents(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/documents: every document with the duties and deadlines found in it."""
    app = state_of(request).app
    docs = list_documents(app.db)
    duties: dict[int, list[dict]] = {d["id"]: [] for d in docs}
    for duty in list_duties(app.db):  # soonest first, undated last
        duties[duty["document_id"]].append({**duty, "section": duty["section_path"]})
    return render(request, viewer, "documents.html", docs=docs, duties=duties)


@route(ADMIN)
def audit_log(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/audit: the latest privileged actions and refusals."""
    app = state_of(request).app
    entries = audit.recent(app, limit=300, action=request.query.get("action") or None)
    ids = sorted({e.person_id for e in entries if e.person_id is not None})
    names = roster.names_of(app, ids)
    return render(request, viewer, "audit.html", entries=entries, names=names)


def routes() -> list[web.RouteDef]:
    return [
        web.get("/admin", dashboard),
        web.get("/admin/assignments/{id}", assignment_page),
        web.get("/admin/assignments/{id}/pending", pending_people),
        web.get("/admin/questions", questions),
        web.get("/admin/documents", documents),
        web.get("/admin/audit", audit_log),
    ]
