"""How the core sends a message to one chat on one platform, and how that can fail.

Each channel adapter implements :class:`Transport`; the outbox :class:`bot.core.outbox.sender.Sender`
drives it. The adapter translates its platform's errors into the four kinds below, because the
sender must react differently to each: wait and try again later (``RetryLater``), give up on the
recipient for good (``Blocked`` / ``Unreachable``), or retry with backoff (``TransientError``).
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.core.chat.messages import Reply


class DeliveryError(Exception):
    """A message could not be delivered; the subclass says what the sender should do next."""


class RetryLater(DeliveryError):
    """The platform asks us to slow down: nothing more to this transport for ``seconds``."""

    def __init__(self, seconds: float, message: str = "") -> None:
        super().__init__(message or f"retry after {seconds:g} s")
        self.seconds = max(0.0, float(seconds))


class Blocked(DeliveryError):
    """The user blocked the bot (or deleted their account): stop writing to them."""


class Unreachable(DeliveryError):
    """A permanent failure for this recipient (unknown chat, message refused): do not retry."""


class TransientError(DeliveryError):
    """A timeout or network failure: the message may be retried with backoff."""


@runtime_checkable
class Transport(Protocol):
    """One platform's way of sending a :class:`Reply` to a chat identified by ``external_id``.

    ``send`` returns the platform's reference of the (last) message sent, as a string, so that a
    later ``Reply(edit_ref=...)`` can edit it. ``can_edit`` is False for platforms without message
    editing (the sender then posts only a final progress summary instead of live updates, and a
    reply with ``edit_ref`` is sent as a new message). A transport may also set a
    ``rate_per_second`` attribute to replace the configured outbox pace for its channel.
    """

    channel: str
    can_edit: bool

    async def send(self, external_id: str, reply: Reply) -> str | None: ...
