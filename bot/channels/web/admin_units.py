"""Admin page for units that change: every unit with its dates and history, and a form for one
reorganisation (rename, merge, move, split, dissolve) that previews first (a dry run) and applies
on a second press. The operation itself is the core's :func:`reorganise` (admin check, audit, one
transaction); this module only translates the form.
"""

from __future__ import annotations

from aiohttp import web

from bot.channels.web.base import ADMIN, Viewer, form_of, render, route, state_of, to_int
from bot.core import clock
from bot.core.errors import UserError
from bot.core.roster import history
from bot.core.roster.placements import parse_placement_lines
from bot.core.roster.reorganise import OPERATIONS, Operation, parse_date, reorganise

CHANGES_LIMIT = 30


def _page(request: web.Request, viewer: Viewer, status: int = 200, **context) -> web.Response:
    app = state_of(request).app
    unit_id = to_int(request.query.get("unit"))
    values = {"report": None, "error": None, "form": {}, **context}
    return render(
        request,
        viewer,
        "units.html",
        status=status,
        units=history.list_units(app),
        changes=history.recent_changes(app, CHANGES_LIMIT),
        operations=OPERATIONS,
        selected=unit_id,
        versions=history.unit_history(app, unit_id) if unit_id is not None else [],
        today=clock.local_today(app.now()).isoformat(),
        **values,
    )


@route(ADMIN)
def units_page(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """GET /admin/units[?unit=ID]: the units, one unit's history, the recent changes, the form."""
    return _page(request, viewer)


def _lines(text: str) -> tuple[str, ...]:
    """Units typed one per line (a path may contain ">" but never a line break)."""
    return tuple(line.strip() for line in text.splitlines() if line.strip())


@route(ADMIN)
def units_change(request: web.Request, viewer: Viewer) -> web.StreamResponse:
    """POST /admin/units: preview (``action=preview``) or apply one reorganisation."""
    app = state_of(request).app
    form = form_of(request)
    kind = form.get("operation", "")
    try:
        if kind not in OPERATIONS:
            raise UserError("Hãy chọn thao tác.")
        op = Operation(
            kind,
            _lines(form.get("sources", "")),
            _lines(form.get("targets", "")),
            parse_date(form.get("effective", "")),
            placements=tuple(parse_placement_lines(form.get("placements", ""))) if kind == "split" else (),
            rest=(form.get("rest", "").strip() or None) if kind == "split" else None,
        )
        report = reorganise(app, viewer.person, [op], form.get("action") != "apply")
    except UserError as exc:
        return _page(request, viewer, 400, error=exc.message, form=form)
    return _page(request, viewer, 400 if report.errors else 200, report=report, form=form)


def routes() -> list[web.RouteDef]:
    return [web.get("/admin/units", units_page), web.post("/admin/units", units_change)]
