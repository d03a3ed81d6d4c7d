"""Helpers for the conversation, broadcast and Telegram tests: a chat driver for the core, an
in-memory transport, and a small province with one document (no embedding model needed)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.app import App
from bot.core.chat.conversation import Conversation
from bot.core.chat.messages import Reply, Request
from bot.core.outbox.transport import DeliveryError
from tests.ledger_support import add_document, load_province, person_id, pin_now

ADMIN, OFFICER, CADRE, CADRE2, CADRE3 = "0905000001", "0905000002", "0905000003", "0905000004", "0905000005"
NOW = datetime(2024, 4, 5, 3, 0, tzinfo=UTC)  # 10:00 in Quảng Nam, before the deadlines
SECTION = "7. Tổ chức thực hiện\n\n" + "\n\n".join(
    f"Đoạn {n}: các cấp ủy, tổ chức đảng tổ chức phổ biến, quán triệt Kết luận và xây dựng kế hoạch "
    "thực hiện phù hợp với tình hình thực tế của địa phương, đơn vị." * 3
    for n in range(1, 30)
)


def build_world(app: App, tmp_path: Path) -> int:
    """The province of ledger_support, "now" pinned to 05/04/2024, and Kết luận 69 with chunks."""
    pin_now(app, NOW)
    load_province(app, tmp_path)
    doc_id = add_document(app)
    texts = [
        "Kết luận số 69-KL/TW ngày 11/01/2024 của Bộ Chính trị về tiếp tục thực hiện Nghị quyết số "
        "20-NQ/TW về phát triển khoa học và công nghệ phục vụ sự nghiệp công nghiệp hóa, hiện đại hóa.",
        SECTION,
    ]
    for seq, text in enumerate(texts):
        app.db.execute(
            "INSERT INTO chunks (document_id, seq, section_path, heading, text, text_hash) VALUES (?, ?, ?, ?, ?, ?)",
            (doc_id, seq, "7. Tổ chức thực hiện" if seq else "", "", text, str(seq)),
        )
    return doc_id


def link(app: App, phone: str, channel: str = "telegram", external_id: str | None = None) -> str:
    """Link a chat account to the person with ``phone``; returns the external id."""
    external_id = external_id or phone
    app.db.execute(
        "INSERT INTO accounts (channel, external_id, person_id, linked_at) VALUES (?, ?, ?, '2024-01-01')",
        (channel, external_id, person_id(app, phone)),
    )
    return external_id


def add_cadres(app: App, count: int, first_chat: int, channel: str = "telegram") -> dict[int, str]:
    """``count`` extra active cadres of the first unit, each with an account on ``channel``; {person id: chat id}."""
    people = {}
    (unit,) = app.db.execute("SELECT min(id) FROM units").fetchone()
    for n in range(count):
        pid = app.db.execute(
            "INSERT INTO people (full_name, name_key, unit_id, role, status, created_at) "
            "VALUES (?, ?, ?, 'cadre', 'active', '2024')",
            (f"Cán bộ {n}", f"can bo {n}", unit),
        ).lastrowid
        people[pid] = str(first_chat + n)
        app.db.execute(
            "INSERT INTO accounts (channel, external_id, person_id) VALUES (?, ?, ?)", (channel, people[pid], pid)
        )
    return people


@dataclass
class Chat:
    """One user talking to the core through one channel."""

    conversation: Conversation
    external_id: str
    channel: str = "telegram"
    name: str = "Cán bộ"
    history: list[Reply] = field(default_factory=list)

    async def send(self, **fields: object) -> list[Reply]:
        request = Request(self.channel, self.external_id, self.name, **fields)  # type: ignore[arg-type]
        replies = await self.conversation.handle(request)
        self.history.extend(replies)
        return replies

    async def say(self, text: str) -> list[Reply]:
        return await self.send(text=text)

    async def press(self, payload: str) -> list[Reply]:
        return await self.send(payload=payload)

    async def share(self, phone: str) -> list[Reply]:
        return await self.send(contact_phone=phone)

    async def text(self, text: str) -> str:
        """What the user sees after typing ``text``, all replies joined."""
        return "\n".join(r.text for r in await self.say(text))


def payloads(replies: list[Reply]) -> list[str]:
    return [b.data for r in replies for b in r.choices()]


class FakeTransport:
    """An in-memory Transport: records what was sent, fails on demand."""

    def __init__(self, channel: str = "telegram", can_edit: bool = True) -> None:
        self.channel = channel
        self.can_edit = can_edit
        self.sent: dict[str, list[Reply]] = defaultdict(list)
        self.edits: list[tuple[str, Reply]] = []
        self.failures: list[tuple[str | None, DeliveryError]] = []  # (chat or None for any, error)
        self.delay = 0.0
        self.started = asyncio.Event()
        self._ids = 0

    def fail(self, error: DeliveryError, chat: str | None = None, times: int = 1) -> None:
        self.failures.extend([(chat, error)] * times)

    async def send(self, external_id: str, reply: Reply) -> str | None:
        self.started.set()
        if self.delay:
            await asyncio.sleep(self.delay)
        for n, (chat, error) in enumerate(self.failures):
            if chat is None or chat == external_id:
                del self.failures[n]
                raise error
        if reply.edit_ref:
            self.edits.append((external_id, reply))
            return reply.edit_ref
        self.sent[external_id].append(reply)
        self._ids += 1
        return str(self._ids)

    def count(self) -> dict[str, int]:
        return {chat: len(replies) for chat, replies in self.sent.items()}
