"""`quantriet broadcast` and `assign --wait`: queued from the command line, delivered by the outbox
sender (running here as `serve` would run it), followed with a progress display until settled."""

from __future__ import annotations

import asyncio

from bot.cli import main
from bot.core.outbox.sender import Sender
from tests.chat_support import FakeTransport, build_world, link
from tests.ledger_support import PEOPLE
from tests.test_broadcast import FAST, LINKED


async def test_broadcast_wait_follows_the_sender_to_the_end(app, tmp_path, capsys):
    build_world(app, tmp_path)
    for (phone,) in app.db.execute("SELECT phone FROM people WHERE phone IS NOT NULL").fetchall():
        link(app, phone)
    telegram = FakeTransport()
    sender = Sender(app, FAST)
    sender.add_transport(telegram)
    sender.start()
    try:
        async with asyncio.timeout(60):
            status = await asyncio.to_thread(main, ["broadcast", "Họp chi bộ lúc 14h00 thứ Sáu.", "--wait"])
            assert status == 0
            out, err = capsys.readouterr()
            broadcast_id = int(out.strip())
            assert f"Gửi tin: {len(PEOPLE)}/{len(PEOPLE)} người (100\u00a0%)" in err
            assert f"đã gửi {LINKED}/{len(PEOPLE)}" in err
            assert sorted(telegram.count().values()) == [1] * LINKED

            status = await asyncio.to_thread(
                main,
                ["assign", "--document", "69-KL/TW", "--due", "2024-04-30", "--units", "Huyện ủy Duy Xuyên", "--wait"],
            )
            assert status == 0
            assert "Gửi tin: 2/2 người (100\u00a0%)" in capsys.readouterr().err
    finally:
        await sender.stop()
    audit = app.db.execute("SELECT channel, detail FROM audit WHERE action = 'broadcast'").fetchall()
    assert len(audit) == 1 and audit[0][0] == "cli" and broadcast_id > 0


def test_an_empty_broadcast_is_refused(app, capsys):
    assert main(["broadcast", "   "]) == 1
    assert "trống" in capsys.readouterr().err
