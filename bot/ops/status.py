"""``quantriet status``: the state of an installation in one place, for an operator or a monitor.

:func:`collect` returns plain JSON-ready data (``--json`` prints it as is, so a monitoring probe
can alert on ``outbox.failed`` or on the age of the last backup); :func:`lines` words it in
Vietnamese. Everything is read from the store and the index sidecar; nothing is changed.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from bot import store
from bot.app import App
from bot.catalogue import index_folder
from bot.core import clock
from bot.core.evidence import assignments, ledger
from bot.core.evidence.reports import compute_progress
from bot.core.numbers import format_number, format_percent
from bot.core.roster import roster
from bot.ops import backup
from bot.ops.progress import duration_text
from embeddings import index as vector_index

OUTBOX_STATES = ("pending", "sending", "sent", "failed", "blocked", "unreachable")


def collect(app: App) -> dict[str, Any]:
    now = app.now()
    return {
        "checked_at": store.isotime(now),
        "database": _database(app),
        "catalogue": _catalogue(app, now),
        "roster": _roster(app),
        "assignments": _open_assignments(app, now),
        "outbox": _outbox(app),
        "backup": _backup(app, now),
        "ledger": dict(zip(("rows", "head_hash"), ledger.tip(app.db))),
    }


def _database(app: App) -> dict[str, Any]:
    path = backup.database_path(app)
    return {"path": str(path), "size": path.stat().st_size if path.exists() else 0}


def _count(app: App, sql: str) -> int:
    return int(app.db.execute(sql).fetchone()[0])


def _catalogue(app: App, now: datetime) -> dict[str, Any]:
    chunks = _count(app, "SELECT COUNT(*) FROM chunks")
    index: dict[str, Any] | None = None
    sidecar = vector_index.sidecar_path(index_folder(app))
    if sidecar.exists():
        meta = json.loads(sidecar.read_text("utf-8"))
        built = datetime.fromtimestamp(sidecar.stat().st_mtime, UTC)
        index = {
            "model": meta["model"],
            "vectors": meta["count"],
            "built_at": store.isotime(built),
            "age_hours": _hours(now - built),
            "up_to_date": meta["count"] == chunks,
        }
    return {
        "documents": _count(app, "SELECT COUNT(*) FROM documents WHERE removed_at IS NULL"),
        "chunks": chunks,
        "index": index,
    }


def _roster(app: App) -> dict[str, Any]:
    by_role, linked = roster.member_counts(app)
    accounts = dict(
        app.db.execute(
            "SELECT channel, COUNT(*) FROM accounts WHERE person_id IS NOT NULL GROUP BY channel ORDER BY channel"
        ).fetchall()
    )
    return {
        "people": sum(by_role.values()),
        "by_role": by_role,
        "units": _count(app, "SELECT COUNT(*) FROM units"),
        "linked_people": linked,
        "accounts": accounts,
    }


def _open_assignments(app: App, now: datetime) -> list[dict[str, Any]]:
    """Assignments not yet past their due date, with their completion."""
    today = clock.local_today(now)
    found = []
    for a in assignments.list_assignments(app):
        if a.due_date < today:
            continue
        total = compute_progress(app, a).total
        found.append(
            {
                "id": a.id,
                "document": a.document.label,
                "due_date": a.due_date.isoformat(),
                "assigned": total.assigned,
                "confirmed": total.confirmed,
                "percent": total.percent,
            }
        )
    return found


def _outbox(app: App) -> dict[str, Any]:
    counts = dict(app.db.execute("SELECT status, COUNT(*) FROM deliveries GROUP BY status").fetchall())
    found: dict[str, Any] = {state: counts.get(state, 0) for state in OUTBOX_STATES}
    found["broadcasts_sending"] = _count(app, "SELECT COUNT(*) FROM broadcasts WHERE status = 'sending'")
    return found


def _backup(app: App, now: datetime) -> dict[str, Any] | None:
    last = backup.last_backup(app)
    if last is None:
        return None
    return {**last, "age_hours": _hours(now - datetime.fromisoformat(last["created_at"]))}


def _hours(delta: Any) -> float:
    return round(delta.total_seconds() / 3600, 2)


def _age(hours: float) -> str:
    return duration_text(hours * 3600) + " trước"


def lines(status: dict[str, Any]) -> list[str]:
    """The status as an operator reads it."""
    cat, ros, out, led = status["catalogue"], status["roster"], status["outbox"], status["ledger"]
    found = [f"Kho văn bản: {format_number(cat['documents'])} văn bản, {format_number(cat['chunks'])} đoạn."]
    index = cat["index"]
    if index is None:
        found.append("  Chỉ mục tìm kiếm: chưa có (chạy `quantriet ingest`).")
    else:
        stale = "" if index["up_to_date"] else " — CHƯA KHỚP với kho văn bản, hãy chạy `quantriet ingest`"
        found.append(
            f"  Chỉ mục tìm kiếm: {index['model']}, {index['vectors']} véc-tơ, dựng {_age(index['age_hours'])}{stale}."
        )
    role_labels = ", ".join(f"{roster.ROLE_LABELS.get(r, r)} {format_number(n)}" for r, n in ros["by_role"].items())
    channels = ", ".join(f"{c} {format_number(n)}" for c, n in ros["accounts"].items()) or "chưa có"
    found += [
        f"Danh sách: {format_number(ros['people'])} người ({role_labels}), {format_number(ros['units'])} đơn vị.",
        f"  Đã liên kết tài khoản: {format_number(ros['linked_people'])} người; tài khoản theo kênh: {channels}.",
    ]
    if status["assignments"]:
        found.append("Đợt quán triệt đang mở:")
        found += [
            f"  Đợt {a['id']}: {a['document']}, hạn {clock.format_date(a['due_date'])}: "
            f"{format_number(a['confirmed'])}/{format_number(a['assigned'])} ({format_percent(a['percent'])})"
            for a in status["assignments"]
        ]
    else:
        found.append("Không có đợt quán triệt nào đang mở.")
    found.append(
        f"Hàng đợi gửi tin: {out['pending'] + out['sending']} chờ gửi, {out['sent']} đã gửi, {out['failed']} lỗi, "
        f"{out['blocked']} bị chặn, {out['unreachable']} chưa có tài khoản."
    )
    last = status["backup"]
    if last is None:
        found.append("Sao lưu: CHƯA CÓ bản sao lưu nào (chạy `quantriet backup`).")
    else:
        chain = "" if last["chain_ok"] else " — SỔ XÁC NHẬN KHÔNG TOÀN VẸN"
        found.append(f"Sao lưu gần nhất: {last['path']} ({_age(last['age_hours'])}){chain}")
        found.append(f"  {last['rows']} hàng sổ xác nhận, mã băm cuối {last['head_hash']}")
    found.append(f"Sổ xác nhận: {led['rows']} hàng, mã băm cuối {led['head_hash']}")
    return found
