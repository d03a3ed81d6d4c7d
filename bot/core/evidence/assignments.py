"""Assignments: "these people must study document D, version V, by date T".

The audience (units, with or without their sub-units, and roles) is resolved to people when the
assignment is created and stored in ``assignment_members``: the evidence must say who was asked at
the time, not who happens to match the filter after later roster changes. Acknowledgements are
keyed by document *version*, so an assignment of a new version starts a fresh round.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date

from bot import store
from bot.app import App
from bot.core import clock
from bot.core.errors import UserError
from bot.core.evidence import check_questions
from bot.core.evidence.documents import Document, get_document
from bot.core.roster import audit
from bot.core.roster.roster import Person, audience_people, require_role


@dataclass(frozen=True)
class Assignment:
    id: int
    document: Document  # the catalogue entry (its version may have moved on since)
    version: str  # the version this assignment asks people to study
    due_date: date
    audience: dict
    require_check: bool
    created_by: int | None
    created_at: str
    closed_at: str | None = None  # closed by an officer: no more reminders, off the cadres' lists

    @property
    def closed(self) -> bool:
        return self.closed_at is not None

    @property
    def current(self) -> bool:
        """False once the document has a newer version than the one assigned."""
        return self.version == self.document.version


@dataclass(frozen=True)
class PersonAssignment:
    """One assignment as seen by one person."""

    assignment_id: int
    document: Document
    version: str
    due_date: date
    require_check: bool
    overdue: bool  # not confirmed and the due day is over (Vietnam time)
    acked_at: str | None  # UTC ISO time of the confirmation, None if not yet
    check_score: str | None

    @property
    def due_text(self) -> str:
        return clock.format_date(self.due_date)


def _assignment(row) -> Assignment:
    (aid, doc_id, version, due, audience, check, by, at, closed_at, title, number, doc_version, issued, issuer) = row
    return Assignment(
        id=aid,
        document=Document(doc_id, title, number, doc_version, issued, issuer),
        version=version,
        due_date=date.fromisoformat(due),
        audience=json.loads(audience),
        require_check=bool(check),
        created_by=by,
        created_at=at,
        closed_at=closed_at,
    )


_ASSIGNMENT_SQL = """
SELECT a.id, a.document_id, a.version, a.due_date, a.audience, a.require_check, a.created_by,
       a.created_at, a.closed_at, d.title, d.number, d.version, d.issued, d.issuer
FROM assignments a JOIN documents d ON d.id = a.document_id
"""


def get_assignment(app: App, assignment_id: int) -> Assignment | None:
    row = app.db.execute(_ASSIGNMENT_SQL + " WHERE a.id = ?", (assignment_id,)).fetchone()
    return _assignment(row) if row else None


def require_assignment(app: App, assignment_id: int) -> Assignment:
    found = get_assignment(app, assignment_id)
    if found is None:
        raise UserError(f"Không có đợt quán triệt số {assignment_id}.")
    return found


def require_open(app: App, assignment_id: int) -> Assignment:
    """The assignment, or a UserError when it was closed (nothing more is sent for it)."""
    found = require_assignment(app, assignment_id)
    if found.closed:
        raise UserError(f"Đợt quán triệt #{assignment_id} ({found.document.label}) đã kết thúc.")
    return found


def list_assignments(app: App) -> list[Assignment]:
    """Every assignment, newest first."""
    return [_assignment(r) for r in app.db.execute(_ASSIGNMENT_SQL + " ORDER BY a.id DESC")]


def latest_assignment(app: App) -> Assignment | None:
    row = app.db.execute(_ASSIGNMENT_SQL + " ORDER BY a.id DESC LIMIT 1").fetchone()
    return _assignment(row) if row else None


def create_assignment(
    app: App,
    actor: Person | None,
    document_id: int,
    due: date,
    units: list[int] | None = None,
    include_subunits: bool = True,
    roles: list[str] | None = None,
    require_check: bool = False,
) -> int:
    """Assign the document's current version to the active people of ``units`` (all when None)
    with ``roles`` (all when None), due at the end of ``due`` (Vietnam time). Officer or admin."""
    audit.require(
        app,
        actor,
        "assign",
        audit.OFFICERS,
        document_id=document_id,
        due=due.isoformat(),
        units=units,
        subunits=include_subunits,
        roles=roles,
        check=require_check,
    )
    document = get_document(app, document_id)
    if document is None:
        raise UserError(f"Không có văn bản số {document_id} trong kho văn bản.")
    role_codes = [require_role(role) for role in roles] if roles else None
    if require_check and not check_questions.supports_check(app, document):
        raise UserError(
            f"Văn bản {document.label} chưa đủ thông tin (nhiệm vụ, thời hạn) để tạo câu hỏi kiểm tra. "
            "Hãy giao không kèm kiểm tra."
        )
    people = audience_people(app, units, include_subunits, role_codes)
    if not people:
        raise UserError("Không có cán bộ nào thuộc đối tượng đã chọn; chưa giao.")
    audience = {"units": units, "subunits": include_subunits, "roles": role_codes}
    with store.transaction(app.db):
        assignment_id = store.new_id(
            app.db.execute(
                "INSERT INTO assignments (document_id, version, due_date, audience, require_check, created_by, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    document_id,
                    document.version,
                    due.isoformat(),
                    json.dumps(audience, ensure_ascii=False),
                    int(require_check),
                    actor.id if actor else None,
                    store.isotime(app.now()),
                ),
            )
        )
        app.db.conn.executemany(
            "INSERT INTO assignment_members (assignment_id, person_id) VALUES (?, ?)",
            [(assignment_id, person_id) for person_id in people],
        )
    return assignment_id


def member_ids(app: App, assignment_id: int) -> list[int]:
    """The people who must study the assignment's document (who its message goes to)."""
    return [
        r[0]
        for r in app.db.execute(
            "SELECT person_id FROM assignment_members WHERE assignment_id = ? ORDER BY rowid", (assignment_id,)
        )
    ]


def member_count(app: App, assignment_id: int) -> int:
    return app.db.execute(
        "SELECT COUNT(*) FROM assignment_members WHERE assignment_id = ?", (assignment_id,)
    ).fetchone()[0]


def require_member(app: App, assignment_id: int, person_id: int) -> Assignment:
    """The assignment, or a UserError when it does not exist or does not include this person
    (the one gate before a check or a confirmation)."""
    assignment = require_assignment(app, assignment_id)
    member = app.db.execute(
        "SELECT 1 FROM assignment_members WHERE assignment_id = ? AND person_id = ?",
        (assignment_id, person_id),
    ).fetchone()
    if member is None:
        raise UserError(f"Đồng chí không có trong danh sách được giao quán triệt {assignment.document.label} đợt này.")
    return assignment


def assignments_for(app: App, person_id: int) -> list[PersonAssignment]:
    """Every assignment of this person with its confirmation, soonest due first."""
    today = clock.local_today(app.now())
    rows = app.db.execute(
        """
        SELECT a.id, a.version, a.due_date, a.require_check, k.acked_at, k.check_score,
               d.id, d.title, d.number, d.version, d.issued, d.issuer
        FROM assignment_members m
        JOIN assignments a ON a.id = m.assignment_id
        JOIN documents d ON d.id = a.document_id
        LEFT JOIN acks k ON k.person_id = m.person_id AND k.document_id = a.document_id
                        AND k.version = a.version
        WHERE m.person_id = ? AND a.closed_at IS NULL
        ORDER BY a.due_date, a.id
        """,
        (person_id,),
    )
    result = []
    for aid, version, due, check, acked_at, score, *doc in rows:
        due_date = date.fromisoformat(due)
        result.append(
            PersonAssignment(
                assignment_id=aid,
                document=Document(*doc),
                version=version,
                due_date=due_date,
                require_check=bool(check),
                overdue=acked_at is None and today > due_date,
                acked_at=acked_at,
                check_score=score,
            )
        )
    return result


def pending_for(app: App, person_id: int) -> list[PersonAssignment]:
    """What this person still has to confirm (one entry per document version), soonest due first."""
    seen: set[tuple[int, str]] = set()
    pending = []
    for item in assignments_for(app, person_id):
        key = (item.document.id, item.version)
        if item.acked_at is None and key not in seen:
            seen.add(key)
            pending.append(item)
    return pending
