"""What flows between a channel adapter and the core.

An adapter turns a platform update into a :class:`Request` and renders each :class:`Reply` back.
Buttons a platform cannot show degrade to numbered text choices (:func:`numbered_text`); the core
remembers the choices it offered, so typing "1" means the same as pressing the first button on
every channel.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Button:
    """A choice: ``label`` is shown, ``data`` comes back as :attr:`Request.payload` (≤ 64 bytes)."""

    label: str
    data: str = ""
    url: str | None = None  # a link button instead of a callback


@dataclass(frozen=True)
class Attachment:
    """A file to send (an export, a document)."""

    filename: str
    content: bytes
    mime: str = "application/octet-stream"


@dataclass
class Request:
    """One thing a user did: typed text, pressed a button, or shared their own contact."""

    channel: str  # telegram, zalo, zalo_oa, web, cli
    external_user_id: str  # platform id, always a string
    display_name: str = ""
    text: str = ""
    payload: str | None = None  # the data of a pressed button
    contact_phone: str | None = None  # a phone number the platform proves is the sender's own
    message_ref: str | None = None  # platform id of the message that carried the button


@dataclass
class Reply:
    """One message to show. ``buttons`` are rows; ``edit_ref`` edits an earlier message instead."""

    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    attachment: Attachment | None = None
    request_contact: bool = False  # ask the user to share their phone number
    edit_ref: str | None = None

    def choices(self) -> list[Button]:
        """The callback buttons in reading order (what numbered text choices enumerate)."""
        return [b for row in self.buttons for b in row if b.url is None]


def numbered_lines(choices: list[Button]) -> list[str]:
    """ "1. …" per choice: the numbers the core accepts typed in place of a button press."""
    return [f"{i}. {b.label}" for i, b in enumerate(choices, 1)]


def numbered_text(reply: Reply) -> str:
    """Render a reply for a channel without buttons: choices become "1. …" lines plus a hint."""
    choices = reply.choices()
    links = [b for row in reply.buttons for b in row if b.url]
    lines = [reply.text]
    if choices:
        lines.append("")
        lines.extend(numbered_lines(choices))
        lines.append("(Trả lời bằng số tương ứng để chọn.)")
    lines.extend(f"{b.label}: {b.url}" for b in links)
    return "\n".join(lines)
