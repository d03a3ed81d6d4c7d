"""One turn of a conversation: what every command, button and flow step is handed.

Kept apart from :mod:`bot.core.chat.conversation` (the router) so the feature modules can use it
without importing the router that imports them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.core.chat import texts
from bot.core.chat.messages import Button, Reply, Request
from bot.core.chat.sessions import Session
from bot.core.errors import UserError
from bot.core.roster import audit
from bot.core.roster.roster import Person

if TYPE_CHECKING:
    from bot.app import App

# Every handler: (turn, argument) -> replies. The argument is the text after a command, the rest
# of a button's data after its prefix, or what was typed at a flow step.
Handler = Callable[["Turn", str], list[Reply]]


@dataclass
class Turn:
    app: App
    request: Request
    session: Session
    person: Person | None  # the linked roster person, whatever their status
    on_queued: Callable[[], None]  # wakes the outbox sender after queueing messages
    chosen: str | None = None  # at a flow step: the value of the choice picked, if any
    # Shows a growing draft of the answer while it is written (channels that edit messages);
    # called from the worker thread, the final replies then replace it.
    draft: Callable[[str], None] | None = None

    @property
    def origin(self) -> tuple[str, str]:
        return self.request.channel, self.request.external_user_id

    @property
    def role(self) -> str | None:
        """The role that decides what the user may do (None: not an active, linked person)."""
        return self.person.role if self.person is not None and self.person.active else None

    def option(self, label: str, value: str) -> Button:
        """A button answering the current flow step with ``value`` (void once the flow ends)."""
        return Button(label, f"f:{self.session.flow}:{value}")

    def member(self) -> Person:
        """The active person behind this chat, or a UserError saying how to become one."""
        if self.person is not None and self.person.active:
            return self.person
        if self.person is not None and self.person.status == "pending":
            raise UserError(texts.PENDING_APPROVAL)
        raise UserError(texts.NOT_REGISTERED)

    def require(self, action: str, roles: frozenset[str], **detail: object) -> Person:
        """Gate a privileged command: the linked person if their role allows ``action``; otherwise
        PermissionDenied after an ``allowed=0`` audit row (for an unlinked chat: no person, its
        channel and external id). The allowed action itself is audited by the core function that
        performs it."""
        if self.person is not None and audit.allowed(self.person, roles):
            return self.person
        if self.person is None:
            detail = {**detail, "external_id": self.request.external_user_id}
        audit.deny(self.app, self.person, action, roles, channel=self.request.channel, **detail)
