"""The outbox: broadcasts and their one-row-per-recipient deliveries.

Creating a broadcast resolves its audience to people, and the people to every chat account they
have linked (Telegram, Zalo, ...), and writes one ``deliveries`` row per account in the same
transaction as the broadcast. From then on nothing is lost: the :class:`~bot.core.outbox.sender.Sender`
drains the rows, and a restart resumes from them. People with no linked account get one row
marked ``unreachable`` so that an officer sees them in the progress counts.

An officer's broadcast starts as a *draft* (previewed, then confirmed or cancelled by a button
that carries its id: ``bc:ok:7``), so a restart between preview and confirmation loses nothing.
Reminders and notices to officers are queued directly with :func:`enqueue`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from bot import store
from bot.core.chat import texts
from bot.core.chat.messages import Button, Reply
from bot.core.errors import UserError
from bot.core.evidence import assignments
from bot.core.numbers import format_number
from bot.core.roster import audit, roster

if TYPE_CHECKING:
    from bot.app import App
    from bot.core.roster.roster import Person

REASONS = 3  # failure reasons shown to an officer next to the counts


@dataclass
class Audience:
    """Who a broadcast is for: ``units`` (all people when empty), with their sub-units or not,
    restricted to ``roles`` when given."""

    units: list[int] = field(default_factory=list)
    subunits: bool = True
    roles: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"units": self.units, "subunits": self.subunits, "roles": self.roles}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Audience:
        return cls(list(data.get("units") or []), bool(data.get("subunits", True)), list(data.get("roles") or []))

    def people(self, app: App) -> list[int]:
        """The active people it covers now (the same resolution as an assignment's members)."""
        return roster.audience_people(app, self.units, self.subunits, self.roles)


@dataclass
class Draft:
    """What an officer composed, before confirmation (kept in ``broadcasts`` with status draft)."""

    kind: str  # broadcast (/phatthanh) or assignment (/giao)
    text: str = ""
    document_id: int | None = None
    audience: Audience = field(default_factory=Audience)
    require_ack: bool = False
    due_date: date | None = None
    require_check: bool = False


@dataclass
class Stats:
    broadcast_id: int
    total: int = 0
    sent: int = 0
    failed: int = 0
    blocked: int = 0
    unlinked: int = 0
    pending: int = 0  # pending + sending: still to go

    def add(self, other: Stats) -> None:
        for name in ("total", "sent", "failed", "blocked", "unlinked", "pending"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def counts(self) -> str:
        """ "đã gửi 320/500, lỗi 2, chặn bot 1, chưa liên kết 5, đang chờ 172"."""
        waiting = texts.DELIVERY_WAITING.format(pending=format_number(self.pending)) if self.pending else ""
        return (
            texts.DELIVERY_COUNTS.format(
                sent=format_number(self.sent),
                total=format_number(self.total),
                failed=format_number(self.failed),
                blocked=format_number(self.blocked),
                unlinked=format_number(self.unlinked),
            )
            + waiting
        )

    def text(self) -> str:
        """The officer's progress message."""
        line = texts.PROGRESS.format(id=self.broadcast_id, counts=self.counts())
        return line if self.pending else texts.PROGRESS_DONE + line


def reply_to_json(reply: Reply) -> str:
    return json.dumps(
        {"text": reply.text, "buttons": [[b.__dict__ for b in row] for row in reply.buttons]},
        ensure_ascii=False,
    )


def reply_from_json(data: str) -> Reply:
    raw = json.loads(data)
    return Reply(raw["text"], [[Button(**b) for b in row] for row in raw.get("buttons", [])])


def save_draft(app: App, actor: Person, draft: Draft, origin: tuple[str, str]) -> int:
    """Store a composed broadcast as a draft; ``origin`` (channel, chat) gets the progress later."""
    return store.new_id(
        app.db.execute(
            "INSERT INTO broadcasts (kind, created_by, text, document_id, audience, require_ack, due_date, "
            "require_check, status, progress_ref, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'draft', ?, ?)",
            (
                draft.kind,
                actor.id,
                draft.text,
                draft.document_id,
                json.dumps(draft.audience.to_json()),
                int(draft.require_ack),
                draft.due_date.isoformat() if draft.due_date else None,
                int(draft.require_check),
                _ref(origin),
                store.isotime(app.now()),
            ),
        )
    )


def load_draft(app: App, broadcast_id: int) -> tuple[Draft, str] | None:
    """A stored broadcast as a Draft, with its status; None when there is no such broadcast."""
    row = app.db.execute(
        "SELECT kind, text, document_id, audience, require_ack, due_date, require_check, status "
        "FROM broadcasts WHERE id = ?",
        (broadcast_id,),
    ).fetchone()
    if row is None:
        return None
    kind, text, document_id, audience, ack, due, check, status = row
    draft = Draft(
        kind,
        text,
        document_id,
        Audience.from_json(json.loads(audience)),
        bool(ack),
        date.fromisoformat(due) if due else None,
        bool(check),
    )
    return draft, status


def confirm(app: App, actor: Person, broadcast_id: int, message: Reply | None = None) -> Stats:
    """Turn a draft into deliveries (creating its assignment first when acknowledgement is
    required); officers and admins only, audited. ``message`` is what recipients get; by default
    it is composed from the draft."""
    from bot.core.chat import study  # study composes assignment messages and builds on this module

    loaded = load_draft(app, broadcast_id)
    if loaded is None or loaded[1] != "draft":
        raise UserError(texts.BROADCAST_GONE.format(id=broadcast_id))
    draft = loaded[0]
    audit.require(app, actor, "broadcast", audit.OFFICERS, broadcast_id=broadcast_id, kind=draft.kind)
    with store.transaction(app.db, immediate=True):
        assignment_id = None
        if draft.require_ack:
            # both composers (chat and web) refuse acknowledgement without a document and a date
            assert draft.document_id is not None and draft.due_date is not None
            assignment_id = assignments.create_assignment(
                app,
                actor,
                draft.document_id,
                draft.due_date,
                draft.audience.units or None,
                draft.audience.subunits,
                draft.audience.roles or None,
                draft.require_check,
            )
            people = assignments.member_ids(app, assignment_id)
        else:
            people = draft.audience.people(app)
        if not people:
            raise UserError(texts.NO_RECIPIENTS)
        reply = message or study.broadcast_message(app, draft, assignment_id)
        app.db.execute(
            "UPDATE broadcasts SET status = 'sending', assignment_id = ?, reply = ?, confirmed_at = ? WHERE id = ?",
            (assignment_id, reply_to_json(reply), store.isotime(app.now()), broadcast_id),
        )
        _write_deliveries(app, broadcast_id, people)
    return stats(app, broadcast_id)


def cancel(app: App, broadcast_id: int) -> bool:
    """Drop a draft; False when it was already confirmed or cancelled."""
    return bool(
        app.db.execute(
            "UPDATE broadcasts SET status = 'cancelled' WHERE id = ? AND status = 'draft'", (broadcast_id,)
        ).rowcount
    )


def enqueue(
    app: App,
    kind: str,
    reply: Reply,
    people: list[int],
    created_by: int | None = None,
    assignment_id: int | None = None,
    origin: tuple[str, str] | None = None,
) -> int:
    """Queue ``reply`` for ``people`` right away (reminders, notices); returns the broadcast id."""
    with store.transaction(app.db):
        broadcast_id = store.new_id(
            app.db.execute(
                "INSERT INTO broadcasts (kind, created_by, text, assignment_id, audience, reply, status, "
                "progress_ref, created_at, confirmed_at) VALUES (?, ?, ?, ?, ?, ?, 'sending', ?, ?, ?)",
                (
                    kind,
                    created_by,
                    reply.text,
                    assignment_id,
                    json.dumps({"people": len(people)}),
                    reply_to_json(reply),
                    _ref(origin) if origin else None,
                    store.isotime(app.now()),
                    store.isotime(app.now()),
                ),
            )
        )
        _write_deliveries(app, broadcast_id, people)
    return broadcast_id


def _write_deliveries(app: App, broadcast_id: int, people: list[int]) -> None:
    """One row per linked account; blocked accounts and people without one are recorded as such."""
    linked: set[int] = set()
    rows: list[tuple[int, int, int | None, str | None, str, str | None]] = []
    for account in roster.accounts_for(app, people):
        linked.add(account.person_id)
        status, error = ("blocked", "blocked") if account.blocked else ("pending", None)
        rows.append((broadcast_id, account.person_id, account.id, account.channel, status, error))
    rows.extend(
        (broadcast_id, pid, None, None, "unreachable", "no linked account") for pid in people if pid not in linked
    )
    app.db.conn.executemany(
        "INSERT INTO deliveries (broadcast_id, person_id, account_id, channel, status, error) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        rows,
    )


def recipients_preview(app: App, draft: Draft) -> tuple[int, int, int]:
    """(people, linked accounts, people without an account) the draft would reach now.

    With acknowledgement required the assignment resolves the same audience (active people of
    the units and roles), so the preview counts agree with what a confirm creates.
    """
    people = draft.audience.people(app)
    accounts = roster.accounts_for(app, people)
    linked = {a.person_id for a in accounts}
    return len(people), len(accounts), len(people) - len(linked)


def stats(app: App, broadcast_id: int) -> Stats:
    result = Stats(broadcast_id)
    for status, count in app.db.execute(
        "SELECT status, COUNT(*) FROM deliveries WHERE broadcast_id = ? GROUP BY status", (broadcast_id,)
    ):
        result.total += count
        if status == "sent":
            result.sent = count
        elif status == "failed":
            result.failed = count
        elif status == "blocked":
            result.blocked = count
        elif status == "unreachable":
            result.unlinked = count
        else:
            result.pending += count
    return result


def failure_reasons(app: App, broadcast_ids: Iterable[int], limit: int = REASONS) -> list[tuple[str, int]]:
    """The commonest errors of the failed and blocked deliveries, most frequent first.

    A count says that messages failed; the platform's reason ("người dùng chưa tương tác trong 7
    ngày") says what the officer can do about it. An account found blocked before sending carries
    the bare code "blocked", shown as a sentence.
    """
    ids = list(broadcast_ids)
    if not ids:
        return []
    return [
        (reason, count)
        for reason, count in app.db.execute(
            "SELECT CASE WHEN coalesce(error, '') IN ('', 'blocked') THEN ? ELSE error END AS reason, COUNT(*) "
            f"FROM deliveries WHERE broadcast_id IN ({','.join('?' * len(ids))}) AND status IN ('failed', 'blocked') "
            "GROUP BY reason ORDER BY COUNT(*) DESC, reason LIMIT ?",
            [texts.BLOCKED_REASON, *ids, limit],
        )
    ]


def failure_lines(reasons: list[tuple[str, int]]) -> list[str]:
    """The reasons as lines under the counts ("• Zalo OA: … — 12"); nothing when none failed."""
    if not reasons:
        return []
    return [texts.FAILURE_REASONS] + [texts.FAILURE_REASON.format(reason=r, count=format_number(n)) for r, n in reasons]


def in_progress(app: App) -> list[tuple[int, dict[str, str] | None]]:
    """Broadcasts still sending, with where their progress message goes (None: nobody)."""
    return [
        (bid, json.loads(ref) if ref else None)
        for bid, ref in app.db.execute("SELECT id, progress_ref FROM broadcasts WHERE status = 'sending' ORDER BY id")
    ]


def mark_done(app: App, broadcast_id: int) -> None:
    app.db.execute("UPDATE broadcasts SET status = 'done' WHERE id = ? AND status = 'sending'", (broadcast_id,))


def set_progress_ref(app: App, broadcast_id: int, ref: dict[str, str]) -> None:
    app.db.execute("UPDATE broadcasts SET progress_ref = ? WHERE id = ?", (json.dumps(ref), broadcast_id))


def stored_reply(app: App, broadcast_id: int) -> Reply:
    (data,) = app.db.execute("SELECT reply FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()
    return reply_from_json(data)


def latest(app: App, limit: int = 3) -> list[tuple[int, str, str]]:
    """The most recent confirmed broadcasts: (id, kind, created_at)."""
    return list(
        app.db.execute(
            "SELECT id, kind, created_at FROM broadcasts WHERE status IN ('sending', 'done') "
            "AND kind IN ('broadcast', 'assignment') ORDER BY id DESC LIMIT ?",
            (limit,),
        )
    )


@dataclass(frozen=True)
class Listed:
    """One broadcast as an officer's list shows it."""

    id: int
    kind: str
    text: str
    status: str
    created_at: str
    author: str | None
    document: str | None  # number, else title


def assignment_of(app: App, broadcast_id: int) -> int | None:
    """The assignment a confirmed broadcast created or announced (None for a plain notice)."""
    row = app.db.execute("SELECT assignment_id FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()
    return row[0] if row else None


def listing(app: App, limit: int) -> list[Listed]:
    """Broadcasts and drafts, newest first, without the cancelled ones."""
    rows = app.db.execute(
        "SELECT b.id, b.kind, b.text, b.status, b.created_at, p.full_name, coalesce(nullif(d.number, ''), d.title) "
        "FROM broadcasts b LEFT JOIN people p ON p.id = b.created_by "
        "LEFT JOIN documents d ON d.id = b.document_id "
        "WHERE b.status != 'cancelled' ORDER BY b.id DESC LIMIT ?",
        (limit,),
    ).fetchall()
    return [Listed(*row) for row in rows]


def _ref(origin: tuple[str, str]) -> str:
    channel, external_id = origin
    return json.dumps({"channel": channel, "external_id": external_id})
