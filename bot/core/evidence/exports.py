"""Evidence exports of the acknowledgement ledger: XLSX (summary with a chart + detail) and CSV.

Built for a province of 100,000 people: rows stream from one SQL query into the CSV writer, or
into the detail sheet of the workbook openpyxl wrote (see :mod:`xlsx_rows`), so memory does not
grow with the roster. Every text cell that a spreadsheet could
take for a formula (starting with = + - @ tab or CR) is prefixed with an apostrophe: names and
positions come from files and chats we do not control. Times are shown in Vietnam time.

Figures in the summary are numbers, not text, so a spreadsheet can sum them; their formats carry
the Vietnamese locale ([$-42A]): "1.234" and "33,3 %" in LibreOffice, and in Excel wherever the
regional settings are Vietnamese (Excel takes the separators from the reader's settings).
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path

from bot.app import App
from bot.core import clock
from bot.core.chat.messages import Attachment
from bot.core.errors import UserError
from bot.core.evidence import ledger
from bot.core.evidence.assignments import Assignment, list_assignments, require_assignment
from bot.core.evidence.documents import document_origin
from bot.core.evidence.reports import Progress, ack_period, compute_progress
from bot.core.evidence.xlsx_rows import append_rows
from bot.core.roster import audit, history
from bot.core.roster.history import ACK_UNIT_SQL, MEMBERSHIP_ON_SQL
from bot.core.roster.roster import Person, UnitIndex

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_PREFIXES)
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv",
}
CHANNEL_LABELS = {
    "telegram": "Telegram",
    "zalo": "Zalo",
    "zalo_oa": "Zalo OA",
    "web": "Trang web",
    "cli": "Dòng lệnh",
    ledger.CONFERENCE: "Hội nghị",
}
DETAIL_HEADERS = (
    ("Họ và tên", 28),
    ("Đơn vị", 45),
    ("Chức vụ", 22),
    ("Văn bản", 14),
    ("Phiên bản", 14),
    ("Hạn", 12),
    ("Trạng thái", 15),
    ("Thời điểm xác nhận", 19),
    ("Hình thức", 12),
    ("Kiểm tra", 9),
    ("Hàng sổ", 9),
    ("Mã băm sổ xác nhận", 66),
    ("Đơn vị khi xác nhận", 45),  # kept by the ledger: the unit may have been merged or renamed since
    ("Nguồn văn bản", 40),
)
SUMMARY_HEADERS = (
    ("Đợt", 6),
    ("Văn bản", 14),
    ("Hạn", 12),
    ("Đơn vị", 45),
    ("Được giao", 11),
    ("Đúng hạn", 10),
    ("Trễ hạn", 10),
    ("Chưa xác nhận", 14),
    ("Tỷ lệ hoàn thành", 18),
)
COUNT_FORMAT = "[$-42A]#,##0"
PERCENT_FORMAT = "[$-42A]0.0\\ %"  # a share (0.333) shown "33,3 %": the space is Vietnamese usage
COUNT_COLUMNS = range(4, 8)  # Được giao … Chưa xác nhận in SUMMARY_HEADERS
PERCENT_COLUMN = 8
DETAIL_SHEET = "Chi tiết"
CHART_TABLE_COLUMN = len(SUMMARY_HEADERS) + 2  # the chart's data sits right of the summary table
CHART_ROWS = 18  # rows of sheet a chart occupies at least (more for many bars: BAR_ROWS each)
BAR_ROWS = 0.75


def escape_row(row: Sequence[object]) -> list[object]:
    """Neutralise every text cell that a spreadsheet would run as a formula (inline: an export
    does this for millions of cells)."""
    return ["'" + v if isinstance(v, str) and v[:1] in _FORMULA_FIRST else v for v in row]


def escape(value: object) -> object:
    """:func:`escape_row` for one cell."""
    return escape_row([value])[0]


def _assignments(app: App, assignment_id: int | None) -> list[Assignment]:
    if assignment_id is not None:
        return [require_assignment(app, assignment_id)]
    return sorted(list_assignments(app), key=lambda a: a.id)


def _detail_rows(
    app: App,
    assignments: Sequence[Assignment],
    unit_id: int | None,
    since: date | None,
    until: date | None,
    on: date | None = None,
) -> Iterator[list[object]]:
    """One row per (assignment, member), streamed. With ``since``/``until`` only confirmations made
    in that period (Vietnam dates, inclusive) are listed; without, every member, confirmed or not.
    "Đơn vị" is the member's unit today, or with ``on`` their unit on that day."""
    index = UnitIndex(app.db, on)
    paths: dict[int | None, str] = {uid: index.path(uid) for uid in index.units}
    ack_paths = history.last_paths(app)
    scope = sorted(index.subtree(unit_id)) if unit_id is not None else None
    # date.isoformat() is digits and dashes: safe inline, and keeps the "?" parameters in order
    unit_of = (
        "p.unit_id" if on is None else f"({MEMBERSHIP_ON_SQL.format(person='m.person_id', day=repr(on.isoformat()))})"
    )
    start, end = ack_period(since, until)
    for assignment in assignments:
        cutoff = clock.day_end_utc(assignment.due_date)
        sql = f"""
            SELECT p.full_name, {unit_of} AS unit, p.position, k.acked_at, k.channel, k.check_score, k.id, k.hash,
                   CASE WHEN k.id IS NOT NULL THEN {ACK_UNIT_SQL} END
            FROM assignment_members m
            JOIN people p ON p.id = m.person_id
            LEFT JOIN acks k ON k.person_id = m.person_id AND k.document_id = ? AND k.version = ?
            WHERE m.assignment_id = ?
        """
        params: list[object] = [assignment.document.id, assignment.version, assignment.id]
        if scope is not None:
            sql += f" AND unit IN ({','.join('?' * len(scope))})"
            params.extend(scope)
        if start is not None:
            sql += " AND k.acked_at >= ?"
            params.append(start)
        if end is not None:
            sql += " AND k.acked_at < ?"
            params.append(end)
        sql += " ORDER BY unit, p.name_key, p.id"
        label, version, due = assignment.document.label, assignment.version[:12], clock.format_date(assignment.due_date)
        origin = document_origin(app, assignment.document.id)
        for name, unit, position, acked_at, channel, score, ack_id, digest, ack_unit in app.db.execute(sql, params):
            if acked_at is None:
                status, when = "Chưa xác nhận", ""
            else:
                status = "Đúng hạn" if acked_at < cutoff else "Trễ hạn"
                when = clock.format_datetime(acked_at)
            yield [
                name,
                paths.get(unit, ""),
                position or "",
                label,
                version,
                due,
                status,
                when,
                CHANNEL_LABELS.get(channel, channel or ""),
                score or "",
                ack_id or "",
                digest or "",
                ack_paths.get(ack_unit, ""),
                origin,
            ]


def _summary_rows(progress: Progress) -> list[list[object]]:
    """One row per unit and the total; the completion as a share (0.333, shown "33,3 %")."""
    a = progress.assignment
    head = [a.id, a.document.label, clock.format_date(a.due_date)]
    t = progress.total
    named = [("    " * u.depth + u.name, u) for u in progress.units]
    named.append((f"Tổng cộng ({t.name})" if t.unit_id else "Tổng cộng", t))
    return [head + [name, u.assigned, u.on_time, u.late, u.not_yet, u.percent / 100] for name, u in named]


def _chart_units(progress: Progress) -> list[tuple[str, float]]:
    """The bars of the chart (shares, 0..1): the total, then every unit in tree order (indented), so
    no unit that has people assigned, at whatever level, is left out of the picture."""
    return [("Tổng cộng", progress.total.percent / 100)] + [
        ("  " * u.depth + u.name, u.percent / 100) for u in progress.units
    ]


def _open_scope(
    app: App,
    actor: Person | None,
    fmt: str,
    assignment_id: int | None,
    unit_id: int | None,
    since: date | None,
    until: date | None,
    on: date | None,
) -> list[Assignment]:
    audit.require(
        app,
        actor,
        "export",
        audit.ADMINS,
        format=fmt,
        assignment_id=assignment_id,
        unit_id=unit_id,
        since=since,
        until=until,
        on=on,
    )
    if fmt not in FORMATS:
        raise UserError(f"Định dạng “{fmt}” không được hỗ trợ (chọn xlsx hoặc csv).")
    if since is not None and until is not None and since > until:
        raise UserError(
            f"Khoảng thời gian bị ngược: «Từ ngày» ({clock.format_date(since)}) sau «Đến ngày» "
            f"({clock.format_date(until)})."
        )
    if unit_id is not None and unit_id not in UnitIndex(app.db, on).units:
        raise UserError(f"Không có đơn vị số {unit_id}.")
    return _assignments(app, assignment_id)


def export_acks(
    app: App,
    actor: Person | None,
    fmt: str,
    out: str | Path,
    assignment_id: int | None = None,
    unit_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    on: date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> Path:
    """Write the evidence export to ``out`` (admin only) and return its path.

    XLSX: sheet "Tổng hợp" (completion per unit per assignment, rolled up, with a bar chart per
    assignment) and sheet "Chi tiết" (one row per person and assignment). CSV: the detail rows, UTF-8
    with a BOM so Excel shows Vietnamese. ``assignment_id`` None exports every assignment. Units are
    today's tree, or with ``on`` the tree of that day; each confirmation also names the unit it was
    made in. ``progress(detail rows written, members of the assignments)`` follows the detail rows;
    the total is an upper bound when a unit or a period narrows the rows, and is met at the end.
    """
    assignments = _open_scope(app, actor, fmt, assignment_id, unit_id, since, until, on)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = _detail_rows(app, assignments, unit_id, since, until, on)
    if progress:
        rows = _counted(rows, progress, _member_count(app, assignments))
    if fmt == "csv":
        _write_csv(out, rows)
    else:
        progresses = [compute_progress(app, a, unit_id, on, since, until) for a in assignments]
        _write_xlsx(app, out, progresses, rows, _period_note(since, until))
    return out


def _period_note(since: date | None, until: date | None) -> str | None:
    """What the summary of a period counts, said under it (None without a period)."""
    if since is None and until is None:
        return None
    period = " ".join(
        part
        for part in (
            f"từ ngày {clock.format_date(since)}" if since else "",
            f"đến hết ngày {clock.format_date(until)}" if until else "",
        )
        if part
    )
    return (
        f"Chỉ tính các xác nhận {period}, như trang «Chi tiết»; «Chưa xác nhận» gồm cả những người "
        "xác nhận ngoài khoảng thời gian này."
    )


def _member_count(app: App, assignments: Sequence[Assignment]) -> int:
    ids = [a.id for a in assignments]
    (count,) = app.db.execute(
        f"SELECT COUNT(*) FROM assignment_members WHERE assignment_id IN ({','.join('?' * len(ids))})", ids
    ).fetchone()
    return int(count)


def _counted(rows: Iterator[list[object]], progress: Callable[[int, int], None], total: int) -> Iterator[list[object]]:
    done = 0
    for done, row in enumerate(rows, 1):
        progress(done, max(total, done))
        yield row
    progress(done, done)


def export_attachment(
    app: App,
    actor: Person | None,
    fmt: str = "xlsx",
    assignment_id: int | None = None,
    unit_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
) -> Attachment:
    """The export as a file to send in a chat (/xuatbaocao) or download from the web."""
    stamp = clock.local(app.now()).strftime("%Y%m%d-%H%M")
    filename = f"bao-cao-quan-triet-{stamp}.{fmt}"
    with tempfile.TemporaryDirectory(prefix="quantriet-export-") as tmp:
        path = export_acks(app, actor, fmt, Path(tmp) / filename, assignment_id, unit_id, since, until)
        return Attachment(filename=filename, content=path.read_bytes(), mime=FORMATS[fmt])


def _write_csv(out: Path, rows: Iterator[list[object]]) -> None:
    with out.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([h for h, _ in DETAIL_HEADERS])
        for row in rows:
            writer.writerow(escape_row(row))


def _write_xlsx(
    app: App, out: Path, progresses: list[Progress], rows: Iterator[list[object]], note: str | None = None
) -> None:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook(write_only=True)
    bold = Font(bold=True)

    def header(ws, headers: Sequence[tuple[str, int]], extra: Sequence[object] = ()) -> None:
        for i, (_, width) in enumerate(headers, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.freeze_panes = "A2"
        cells = []
        for title, _ in headers:
            cell = WriteOnlyCell(ws, value=title)
            cell.font = bold
            cell.alignment = Alignment(wrap_text=True, vertical="center")
            cells.append(cell)
        ws.append(cells + list(extra))

    summary = wb.create_sheet("Tổng hợp")
    for letter, width in ((get_column_letter(CHART_TABLE_COLUMN), 30), (get_column_letter(CHART_TABLE_COLUMN + 1), 12)):
        summary.column_dimensions[letter].width = width
    table: list[list[object]] = []
    side: list[list[object]] = []  # [unit, %] blocks the charts read, one block per assignment
    charts: list[tuple[object, int]] = []  # (chart, sheet rows it takes)
    for progress in progresses:
        table.extend(_summary_rows(progress))
        bars = _chart_units(progress)
        if not bars:
            continue
        start = len(side) + 2  # sheet row of the block's first data row (row 1 is the header)
        side.extend([name, pct] for name, pct in bars)
        side.append(["", ""])
        chart = BarChart()
        chart.type = "bar"
        chart.style = 10
        chart.title = f"Tỷ lệ hoàn thành – {progress.assignment.document.label} (đợt {progress.assignment.id})"
        chart.y_axis.title = "Tỷ lệ hoàn thành"
        chart.y_axis.number_format = "[$-42A]0\\ %"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.legend = None
        rows_taken = max(CHART_ROWS, round(BAR_ROWS * len(bars)) + 6)
        chart.height = 0.5 * rows_taken  # cm; a sheet row is about 0.5 cm
        chart.width = 18
        data = Reference(summary, min_col=CHART_TABLE_COLUMN + 1, min_row=start, max_row=start + len(bars) - 1)
        cats = Reference(summary, min_col=CHART_TABLE_COLUMN, min_row=start, max_row=start + len(bars) - 1)
        chart.add_data(data, titles_from_data=False)
        chart.set_categories(cats)
        charts.append((chart, rows_taken))
    header(summary, SUMMARY_HEADERS, ["", "Đơn vị (biểu đồ)", "Tỷ lệ hoàn thành"])

    def figure(value: object, number_format: str) -> object:
        if not isinstance(value, int | float):
            return escape(value)
        cell = WriteOnlyCell(summary, value=value)
        cell.number_format = number_format
        return cell

    for i in range(max(len(table), len(side))):
        left = table[i] if i < len(table) else [""] * len(SUMMARY_HEADERS)
        right = side[i] if i < len(side) else []
        cells = [
            figure(v, COUNT_FORMAT)
            if c in COUNT_COLUMNS
            else figure(v, PERCENT_FORMAT)
            if c == PERCENT_COLUMN
            else escape(v)
            for c, v in enumerate(left)
        ]
        if right:
            cells += ["", escape(right[0]), figure(right[1], PERCENT_FORMAT)]
        summary.append(cells)
    summary.append([])
    if note:
        summary.append([note])
    summary.append(
        [
            f"Xuất lúc {clock.format_datetime(app.now())} (giờ Việt Nam). Mã băm cuối sổ xác nhận: "
            f"{ledger.head_hash(app)}; kiểm tra toàn vẹn bằng lệnh “quantriet ledger verify”."
        ]
    )
    anchor_column = get_column_letter(CHART_TABLE_COLUMN + 3)
    anchor_row = 2
    for chart, rows_taken in charts:
        summary.add_chart(chart, f"{anchor_column}{anchor_row}")
        anchor_row += rows_taken

    detail = wb.create_sheet(DETAIL_SHEET)
    header(detail, DETAIL_HEADERS)
    wb.save(out)
    append_rows(out, DETAIL_SHEET, (escape_row(row) for row in rows), sum(p.total.assigned for p in progresses))
