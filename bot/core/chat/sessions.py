"""Per-chat conversation state, kept in the ``sessions`` table so it survives a restart.

A session holds the multi-step flow in progress (registration, composing a broadcast, ...) and the
choices last offered to the user. Remembering the offered choices is what lets a user on any
channel type "2" instead of pressing the second button, or type the button's label.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from bot import store
from bot.core.chat.messages import Reply

if TYPE_CHECKING:
    from bot.app import App


@dataclass
class Session:
    channel: str
    external_id: str
    flow: str | None = None  # "register", "compose", "role", ...
    step: str | None = None  # the question the flow is waiting an answer to
    data: dict[str, Any] = field(default_factory=dict)
    choices: list[str] = field(default_factory=list)  # payloads of the last offered buttons
    labels: list[str] = field(default_factory=list)  # their labels, same order

    def begin(self, flow: str, step: str, **data: Any) -> None:
        """Start ``flow`` at ``step`` (any flow in progress is dropped)."""
        self.flow, self.step, self.data = flow, step, dict(data)

    def end(self) -> None:
        self.flow, self.step, self.data = None, None, {}

    def offer(self, reply: Reply) -> None:
        """Remember the callback buttons of ``reply`` as the choices "1", "2", ... now refer to."""
        buttons = reply.choices()
        self.choices = [b.data for b in buttons]
        self.labels = [b.label for b in buttons]

    def state_json(self) -> str:
        state = asdict(self)
        del state["channel"], state["external_id"]
        return json.dumps(state, ensure_ascii=False)


def load(app: App, channel: str, external_id: str) -> Session:
    """The stored session of one chat, or a fresh one (a corrupt row is logged away, not fatal)."""
    row = app.db.execute(
        "SELECT state FROM sessions WHERE channel = ? AND external_id = ?", (channel, external_id)
    ).fetchone()
    session = Session(channel, external_id)
    if row:
        try:
            state = json.loads(row[0])
            for key in ("flow", "step", "data", "choices", "labels"):
                if key in state:
                    setattr(session, key, state[key])
        except (ValueError, TypeError):
            pass  # an unreadable state only loses the flow in progress
    return session


def save(app: App, session: Session) -> None:
    app.db.execute(
        "INSERT INTO sessions (channel, external_id, state, updated_at) VALUES (?, ?, ?, ?) "
        "ON CONFLICT (channel, external_id) DO UPDATE SET state = excluded.state, "
        "updated_at = excluded.updated_at",
        (session.channel, session.external_id, session.state_json(), store.isotime(app.now())),
    )


def offer_pushed(app: App, channel: str, external_id: str, reply: Reply) -> None:
    """Record the choices of a message the bot pushed (a broadcast), so "1" answers it."""
    if not reply.choices():
        return
    session = load(app, channel, external_id)
    session.offer(reply)
    save(app, session)
