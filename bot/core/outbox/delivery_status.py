"""Who received and who read a broadcast, person by person, and the one word for its state.

The outbox keeps one ``deliveries`` row per account; an officer wants one line per *person*: the
best of their accounts (a message that reached Zalo counts even if Telegram was blocked), when it
arrived, whether a "seen" receipt came back (Zalo OA sends them, see ``receipts``), and, for an
assignment, whether they have confirmed. :func:`status_label` words the state from the counts, so
the badge can never say "Hoàn tất" while people were not reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.numbers import format_number
from bot.core.outbox.broadcasts import Stats

if TYPE_CHECKING:
    from bot.app import App

# Per person, the best delivery state wins (lower is better).
_RANK = {"sent": 0, "sending": 1, "pending": 1, "failed": 2, "blocked": 3, "unreachable": 4}
PERSON_LABELS = {
    "sent": "Đã nhận",
    "pending": "Đang gửi",
    "failed": "Gửi lỗi",
    "blocked": "Đã chặn trợ lý",
    "unreachable": "Chưa kết nối",
}
# The filter chips of the page: key -> (label, the person states it shows).
FILTERS = {
    "chua": ("Chưa nhận được", {"failed", "blocked", "unreachable"}),
    "nhan": ("Đã nhận", {"sent"}),
    "doc": ("Đã xem", {"sent"}),
    "cho": ("Đang gửi", {"pending"}),
}


@dataclass(frozen=True)
class Recipient:
    person_id: int
    name: str
    unit: str | None
    state: str  # a key of PERSON_LABELS
    channel: str | None  # of the best delivery
    sent_at: str | None
    seen_at: str | None  # a "seen" receipt for the delivered message
    error: str | None
    acked_at: str | None  # for an assignment's message: their confirmation

    @property
    def label(self) -> str:
        return PERSON_LABELS[self.state]


def status_label(status: str, stats: Stats) -> str:
    """The broadcast's state in words that agree with its counts."""
    if status == "draft":
        return "Bản nháp"
    if status == "cancelled":
        return "Đã hủy"
    if stats.pending:
        return "Đang gửi"
    if stats.sent == stats.total:
        return "Hoàn tất"
    return f"Đã gửi xong: {format_number(stats.sent)}/{format_number(stats.total)} tin đến nơi"


def recipients(app: App, broadcast_id: int) -> list[Recipient]:
    """One line per person, by unit and name."""
    rows = app.db.execute(
        """
        SELECT d.person_id, p.full_name, u.name, d.status, d.channel, d.sent_at, d.error,
               (SELECT MIN(r.at) FROM receipts r WHERE r.kind = 'seen' AND r.channel = d.channel
                  AND r.message_ref = d.message_ref AND d.message_ref IS NOT NULL),
               (SELECT k.acked_at FROM acks k JOIN assignments a ON a.id = b.assignment_id
                  WHERE k.person_id = d.person_id AND k.document_id = a.document_id AND k.version = a.version)
        FROM deliveries d JOIN broadcasts b ON b.id = d.broadcast_id
        JOIN people p ON p.id = d.person_id LEFT JOIN units u ON u.id = p.unit_id
        WHERE d.broadcast_id = ?
        ORDER BY u.name, p.name_key, d.id
        """,
        (broadcast_id,),
    )
    best: dict[int, Recipient] = {}
    for pid, name, unit, status, channel, sent_at, error, seen_at, acked_at in rows:
        state = "pending" if status == "sending" else status
        found = Recipient(pid, name, unit, state, channel, sent_at, seen_at, error, acked_at)
        if pid not in best or _RANK[status] < _RANK[best[pid].state]:
            best[pid] = found
    return list(best.values())


def filtered(people: list[Recipient], key: str | None) -> list[Recipient]:
    """The recipients one filter chip shows (all for an unknown key)."""
    if key not in FILTERS:
        return people
    states = FILTERS[key][1]
    return [r for r in people if r.state in states and (key != "doc" or r.seen_at or r.acked_at)]
