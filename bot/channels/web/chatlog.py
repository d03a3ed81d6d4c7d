"""The web chat's message log, and the outbox transport that writes into it.

A browser is not always open, so the web channel cannot push to it the way Telegram does: every
message to a web account (a reply, a broadcast, a reminder, an officer's progress message) is a
row of ``web_messages``; the chat page fetches the rows whose ``rev`` is above the last it saw.
An edit rewrites its row with a new ``rev``, so an open page picks edits up with the same poll.
The user's own messages are logged too, so a reload (or a second device) shows the whole chat.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from bot import store
from bot.core.chat.messages import Reply

if TYPE_CHECKING:
    from bot.app import App

HISTORY_LIMIT = 200  # messages a page loads at once (older ones stay in the table)


def _buttons(reply: Reply) -> list[list[dict[str, str]]]:
    return [[{"label": b.label, "data": b.data, "url": b.url or ""} for b in row] for row in reply.buttons]


def _body(text: str, buttons: list[list[dict[str, str]]] | None = None) -> str:
    return json.dumps({"text": text, "buttons": buttons or []}, ensure_ascii=False)


def _next_rev(app: App, external_id: str) -> int:
    (rev,) = app.db.execute(
        "SELECT COALESCE(MAX(rev), 0) + 1 FROM web_messages WHERE external_id = ?", (external_id,)
    ).fetchone()
    return int(rev)


def add_user_message(app: App, external_id: str, text: str) -> int:
    """Log what the user typed (or the label of the button they pressed)."""
    with store.transaction(app.db, immediate=True):
        return store.new_id(
            app.db.execute(
                "INSERT INTO web_messages (external_id, direction, body, at, rev) VALUES (?, 'in', ?, ?, ?)",
                (external_id, _body(text), store.isotime(app.now()), _next_rev(app, external_id)),
            )
        )


def add_reply(app: App, external_id: str, reply: Reply) -> int:
    """Show ``reply`` in the chat: a new message, or an edit of the message named by ``edit_ref``.

    An ``edit_ref`` that is not one of this account's messages (stale, or another channel's) is
    shown as a new message rather than dropped. An edit keeps the earlier attachment unless the
    reply brings its own.
    """
    body = _body(reply.text, _buttons(reply))
    file = reply.attachment
    name, mime, data = (file.filename, file.mime, file.content) if file else (None, None, None)
    with store.transaction(app.db, immediate=True):
        rev = _next_rev(app, external_id)
        if reply.edit_ref and reply.edit_ref.isdigit():
            updated = app.db.execute(
                "UPDATE web_messages SET body = ?, rev = ?, "
                "file_name = COALESCE(?, file_name), file_mime = COALESCE(?, file_mime), "
                "file_data = COALESCE(?, file_data) "
                "WHERE id = ? AND external_id = ? AND direction = 'out'",
                (body, rev, name, mime, data, int(reply.edit_ref), external_id),
            ).rowcount
            if updated:
                return int(reply.edit_ref)
        return store.new_id(
            app.db.execute(
                "INSERT INTO web_messages (external_id, direction, body, file_name, file_mime, file_data, at, rev) "
                "VALUES (?, 'out', ?, ?, ?, ?, ?, ?)",
                (external_id, body, name, mime, data, store.isotime(app.now()), rev),
            )
        )


def is_empty(app: App, external_id: str) -> bool:
    return app.db.execute("SELECT 1 FROM web_messages WHERE external_id = ? LIMIT 1", (external_id,)).fetchone() is None


def messages_after(app: App, external_id: str, rev: int = 0) -> list[dict[str, Any]]:
    """The messages new or edited since ``rev``, oldest first, as the chat page reads them."""
    rows = app.db.execute(
        "SELECT * FROM (SELECT id, direction, body, file_name, at, rev FROM web_messages "
        "WHERE external_id = ? AND rev > ? ORDER BY rev DESC LIMIT ?) ORDER BY id",
        (external_id, rev, HISTORY_LIMIT),
    ).fetchall()
    found = []
    for message_id, direction, body, file_name, at, row_rev in rows:
        content = json.loads(body)
        found.append(
            {
                "id": message_id,
                "dir": direction,
                "text": content.get("text", ""),
                "buttons": content.get("buttons", []),
                "file": {"name": file_name, "url": f"/files/{message_id}"} if file_name else None,
                "at": at,
                "rev": row_rev,
            }
        )
    return found


@dataclass(frozen=True)
class StoredFile:
    name: str
    mime: str
    data: bytes


def attachment(app: App, external_id: str, message_id: int) -> StoredFile | None:
    """The file of one of this account's messages (None for anyone else's: no guessing ids)."""
    row = app.db.execute(
        "SELECT file_name, file_mime, file_data FROM web_messages "
        "WHERE id = ? AND external_id = ? AND file_name IS NOT NULL",
        (message_id, external_id),
    ).fetchone()
    return StoredFile(row[0], row[1] or "application/octet-stream", bytes(row[2])) if row else None


class WebTransport:
    """The outbox's way to "send" to a web account: write it into that account's chat log.

    It never fails with a platform error (there is no platform); the message waits in the log
    until the person next opens the chat.
    """

    channel = "web"
    can_edit = True
    # Delivery is one database write, not a platform API call: no platform rate limit to respect,
    # so the outbox's [broadcast] pace (set for Telegram/Zalo) would only slow a big broadcast down.
    rate_per_second = 1000.0

    def __init__(self, app: App) -> None:
        self.app = app

    async def send(self, external_id: str, reply: Reply) -> str | None:
        return str(add_reply(self.app, external_id, reply))
