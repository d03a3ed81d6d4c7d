"""The outbox: deliveries written in one go, the sender's pacing, failures, crash recovery, and
reminders. In-memory transports, a real SQLite file, no HTTP."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

import pytest

from bot.app import App
from bot.core.chat.messages import Button, Reply
from bot.core.outbox import broadcasts, reminders
from bot.core.outbox.sender import BroadcastSettings, Sender
from bot.core.outbox.transport import Blocked, RetryLater, TransientError, Unreachable
from tests.chat_support import CADRE, CADRE2, OFFICER, FakeTransport, add_cadres, build_world, link
from tests.ledger_support import PEOPLE, person_id, pin_now

FAST = BroadcastSettings(
    rate_per_second=2000,
    per_chat_seconds=0,
    backoff_seconds=0.01,
    poll_seconds=0.05,
    progress_seconds=0.05,
    max_attempts=3,
)
MESSAGE = Reply("Thông báo", [[Button("Tôi đã đọc và quán triệt", "ack:1")]])


@pytest.fixture
def world(app, tmp_path):
    """The province with every person who has a phone linked on Telegram (chat id = phone)."""
    build_world(app, tmp_path)
    for (phone,) in app.db.execute("SELECT phone FROM people WHERE phone IS NOT NULL").fetchall():
        link(app, phone)
    return app


PHONES = ["0905000001", "0905000002", "0905000003", "0905000004", "0905000005"]
LINKED = 7  # of the 8 people in ledger_support.PEOPLE, one has no phone


def everyone(app):
    return [r[0] for r in app.db.execute("SELECT id FROM people ORDER BY id")]


def statuses(app, broadcast_id):
    return dict(
        app.db.execute(
            "SELECT status, COUNT(*) FROM deliveries WHERE broadcast_id = ? GROUP BY status", (broadcast_id,)
        ).fetchall()
    )


async def drain(sender: Sender, app: App, broadcast_id: int, timeout: float = 10) -> None:
    """Run the sender until the broadcast is closed (bounded)."""
    task = sender.start()
    try:
        async with asyncio.timeout(timeout):
            while app.db.execute("SELECT status FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()[0] != "done":
                await asyncio.sleep(0.02)
    finally:
        await sender.stop()
    assert task.done()


async def test_every_linked_account_gets_one_message_and_others_are_counted(world):
    app = world
    link(app, CADRE, "zalo", "zalo-an")  # a second channel of the same person
    broadcast_id = broadcasts.enqueue(app, "broadcast", MESSAGE, everyone(app), origin=("telegram", OFFICER))
    telegram, zalo = FakeTransport(), FakeTransport("zalo", can_edit=False)
    sender = Sender(app, FAST)
    sender.add_transport(telegram)
    sender.add_transport(zalo)
    await drain(sender, app, broadcast_id)
    assert telegram.count() == {phone: 2 if phone == OFFICER else 1 for phone in telegram.count()}
    assert len(telegram.count()) == LINKED and zalo.count() == {"zalo-an": 1}
    assert statuses(app, broadcast_id) == {"sent": LINKED + 1, "unreachable": len(PEOPLE) - LINKED}
    # the officer's progress message, edited until "Hoàn tất"
    progress = [r.text for r in telegram.sent[OFFICER] if r.text.startswith("Đợt gửi")]
    final = telegram.edits[-1][1].text if telegram.edits else progress[-1]
    assert progress and final.startswith("Hoàn tất") and f"đã gửi {LINKED + 1}/{len(PEOPLE) + 1}" in final
    # what was sent offers its buttons as "1", "2"... to the recipient
    session = app.db.execute("SELECT state FROM sessions WHERE external_id = 'zalo-an'").fetchone()[0]
    assert '"ack:1"' in session


async def test_retry_later_blocked_unreachable_and_timeouts(world):
    app = world
    people = everyone(app)
    broadcast_id = broadcasts.enqueue(app, "broadcast", MESSAGE, people)
    transport = FakeTransport()
    transport.fail(RetryLater(0.05), times=2)
    transport.fail(Blocked("bot was blocked by the user"), chat=PHONES[0])
    transport.fail(Unreachable("chat not found"), chat=PHONES[1])
    transport.fail(TransientError("timed out"), chat=PHONES[2], times=2)  # recovers on the 3rd try
    transport.fail(TransientError("timed out"), chat=PHONES[3], times=5)  # gives up after 3
    sender = Sender(app, FAST)
    sender.add_transport(transport)
    await drain(sender, app, broadcast_id)
    result = dict(
        app.db.execute(
            "SELECT a.external_id, d.status FROM deliveries d JOIN accounts a ON a.id = d.account_id"
        ).fetchall()
    )
    assert [result[p] for p in PHONES] == ["blocked", "failed", "sent", "failed", "sent"]
    assert app.db.execute("SELECT blocked_at FROM accounts WHERE external_id = ?", (PHONES[0],)).fetchone()[0]
    assert all(n == 1 for n in transport.count().values())
    # the blocked account is recorded as such at once in the next broadcast
    second = broadcasts.enqueue(app, "broadcast", MESSAGE, people)
    assert statuses(app, second)["blocked"] == 1


async def test_per_chat_spacing(world):
    app = world
    settings = BroadcastSettings(rate_per_second=2000, per_chat_seconds=1.0, poll_seconds=0.05, progress_seconds=0.05)
    first = broadcasts.enqueue(app, "broadcast", MESSAGE, [person_id(app, CADRE)])
    second = broadcasts.enqueue(app, "broadcast", Reply("Thứ hai"), [person_id(app, CADRE)])
    transport = FakeTransport()
    sender = Sender(app, settings)
    sender.add_transport(transport)
    times = []
    original = transport.send

    async def timed(external_id, reply):
        times.append(asyncio.get_running_loop().time())
        return await original(external_id, reply)

    transport.send = timed  # type: ignore[method-assign]
    await drain(sender, app, second)
    assert statuses(app, first) == {"sent": 1} and [r.text for r in transport.sent[CADRE]] == ["Thông báo", "Thứ hai"]
    assert times[1] - times[0] >= 0.9  # deferred, not sent back to back (a property, not a speed target)


async def test_crash_mid_broadcast_resumes_with_at_most_one_duplicate(app, tmp_path):
    build_world(app, tmp_path)
    chats = add_cadres(app, 200, first_chat=1000)
    broadcast_id = broadcasts.enqueue(app, "broadcast", MESSAGE, list(chats))
    first = FakeTransport()
    first.delay = 0.002
    sender = Sender(app, FAST)
    sender.add_transport(first)
    task = sender.start()
    async with asyncio.timeout(10):
        while sum(first.count().values()) < 80:
            await asyncio.sleep(0.005)
    task.cancel()  # the crash: no graceful stop, a send may be in flight
    await asyncio.gather(task, return_exceptions=True)
    in_flight = app.db.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'sending'").fetchone()[0]
    assert in_flight <= 1

    restarted = App(app.config)  # a new process: new connection, new sender, same file
    pin_now(restarted, datetime(2024, 4, 5, tzinfo=UTC))
    second = FakeTransport()
    sender = Sender(restarted, FAST)
    sender.add_transport(second)
    await drain(sender, restarted, broadcast_id)
    counts = {chat: first.count().get(chat, 0) + second.count().get(chat, 0) for chat in chats.values()}
    assert all(c >= 1 for c in counts.values())  # nobody skipped
    assert sum(c - 1 for c in counts.values()) <= 1  # at most the one in flight twice
    assert statuses(restarted, broadcast_id) == {"sent": 200}


async def test_graceful_stop_leaves_nothing_in_flight(world):
    app = world
    broadcasts.enqueue(app, "broadcast", MESSAGE, everyone(app))
    transport = FakeTransport()
    transport.delay = 0.05
    sender = Sender(app, FAST)
    sender.add_transport(transport)
    sender.start()
    await asyncio.wait_for(transport.started.wait(), 5)
    await sender.stop()
    assert app.db.execute("SELECT COUNT(*) FROM deliveries WHERE status = 'sending'").fetchone()[0] == 0


async def test_a_transport_bug_is_retried_not_fatal(world):
    app = world
    broadcast_id = broadcasts.enqueue(app, "broadcast", MESSAGE, [person_id(app, CADRE), person_id(app, CADRE2)])
    transport = FakeTransport()
    transport.fail(ValueError("adapter bug"), chat=CADRE)  # type: ignore[arg-type]
    sender = Sender(app, FAST)
    sender.add_transport(transport)
    await drain(sender, app, broadcast_id)
    assert transport.count() == {CADRE: 1, CADRE2: 1}


def test_reminder_thresholds():
    assert reminders.due_threshold(5, [3, 1]) is None
    assert reminders.due_threshold(3, [3, 1]) == 3
    assert reminders.due_threshold(2, [3, 1]) == 3  # missed while down: caught up
    assert reminders.due_threshold(1, [3, 1]) == 1
    assert reminders.due_threshold(0, [3, 1]) == 1
    assert reminders.due_threshold(-1, [3, 1]) is None


async def test_automatic_reminders_once_per_threshold(world):
    app = world
    from bot.core.evidence import assignments

    doc_id = app.db.execute("SELECT id FROM documents").fetchone()[0]
    assignment = assignments.create_assignment(app, None, doc_id, date(2024, 4, 15))
    settings = reminders.ReminderSettings(days_before=[3, 1], send_hour=8)
    pin_now(app, datetime(2024, 4, 11, 23, 0, tzinfo=UTC))  # 12/04 06:00 local: too early
    assert reminders.run_due(app, settings) == []
    pin_now(app, datetime(2024, 4, 12, 2, 0, tzinfo=UTC))  # 12/04 09:00, three days before
    [first] = reminders.run_due(app, settings)
    assert reminders.run_due(app, settings) == []  # idempotent
    assert statuses(app, first) == {"pending": LINKED, "unreachable": len(PEOPLE) - LINKED}
    reply = broadcasts.stored_reply(app, first)
    assert "còn 3 ngày" in reply.text and reply.choices()[0].data == f"ack:{assignment}"
    pin_now(app, datetime(2024, 4, 14, 2, 0, tzinfo=UTC))
    [second] = reminders.run_due(app, settings)
    assert second != first
    pin_now(app, datetime(2024, 4, 16, 2, 0, tzinfo=UTC))  # past due: no more
    assert reminders.run_due(app, settings) == []
    assert app.db.execute("SELECT COUNT(DISTINCT days_before) FROM reminders_sent").fetchone()[0] == 2


async def test_no_reminder_on_the_day_of_the_assignment(world):
    app = world
    from bot.core.evidence import assignments

    doc_id = app.db.execute("SELECT id FROM documents").fetchone()[0]
    pin_now(app, datetime(2024, 4, 13, 2, 0, tzinfo=UTC))
    assignments.create_assignment(app, None, doc_id, date(2024, 4, 15))
    assert reminders.run_due(app, reminders.ReminderSettings()) == []
