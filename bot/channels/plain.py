"""How a reply looks on a channel that shows only text (Zalo Bot Platform, and Zalo OA fallbacks).

Buttons become numbered choices (the core accepts "1", "2", ... on every channel), a file becomes
a short-lived download link (:mod:`bot.channels.download_route`), and the whole is cut into
messages the platform accepts (:func:`bot.core.chat.text_split.split_message`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.channels import download_route
from bot.core.chat.messages import Reply, numbered_text
from bot.core.chat.text_split import split_message

if TYPE_CHECKING:
    from bot.app import App


def plain_text(app: App, channel: str, external_id: str, reply: Reply, numbered: bool = True) -> str:
    """The reply as one text: ``numbered`` renders its choices as "1. …" lines; without it they
    are left out (the channel shows them as buttons). Link buttons are always written out."""
    if not numbered:
        reply = Reply(reply.text, [[b for row in reply.buttons for b in row if b.url]])
    text = numbered_text(reply)
    if reply.attachment is not None:
        link = download_route.link_text(app, reply.attachment, f"{channel}:{external_id}")
        text = f"{text}\n\n{link}" if text.strip() else link
    return text


def plain_parts(app: App, channel: str, external_id: str, reply: Reply, limit: int, numbered: bool = True) -> list[str]:
    """:func:`plain_text` cut into messages of at most ``limit`` characters."""
    return split_message(plain_text(app, channel, external_id, reply, numbered), limit)
