"""Quán triệt conferences through the core: invitation, rotating check-in codes on every channel,
the acknowledgement in the ledger, refusals (old code, not open yet, ended), the day-before reminder."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.core.chat.conversation import Conversation
from bot.core.errors import PermissionDenied, UserError
from bot.core.evidence import conferences, ledger
from bot.core.outbox import reminders
from bot.core.roster import roster
from tests.chat_support import CADRE, CADRE2, NOW, OFFICER, Chat, build_world, link
from tests.ledger_support import BINH_DUONG, THANG_BINH, person, person_id, pin_now

START = NOW + timedelta(days=2)  # 10:00 on 07/04/2024 in Quảng Nam


@pytest.fixture
def world(app, tmp_path):
    doc_id = build_world(app, tmp_path)
    conversation = Conversation(app)
    return app, conversation, doc_id


def _create(app, doc_id, actor=None, units=None, **changes) -> int:
    fields = {
        "title": "Hội nghị quán triệt Kết luận 69",
        "starts_at": START,
        "ends_at": START + timedelta(hours=3),
        "units": units if units is not None else [roster.resolve_unit(app, THANG_BINH).id],
        "place": "Hội trường Huyện ủy Thăng Bình",
        "document_id": doc_id,
        **changes,
    }
    return conferences.create(app, actor, conferences.ConferenceDraft(**fields))


def test_create_invites_the_units_through_the_outbox(world):
    app, _, doc_id = world
    officer = person(app, OFFICER)
    conference_id = _create(app, doc_id, officer)
    conference = conferences.require(app, conference_id)
    invited = {
        r[0]
        for r in app.db.execute("SELECT person_id FROM conference_invitees WHERE conference_id = ?", (conference_id,))
    }
    assert invited == {person_id(app, p) for p in (CADRE, CADRE2, "0905000005", "0905000006")}
    text = app.db.execute("SELECT text FROM broadcasts WHERE id = ?", (conference.invitation_id,)).fetchone()[0]
    assert "GIẤY MỜI: Hội nghị quán triệt Kết luận 69" in text
    assert "10:00–13:00 ngày 07/04/2024" in text and "Hội trường Huyện ủy Thăng Bình" in text
    (deliveries,) = app.db.execute(
        "SELECT COUNT(*) FROM deliveries WHERE broadcast_id = ?", (conference.invitation_id,)
    ).fetchone()
    assert deliveries == 4
    assert conference.assignment.due_date.isoformat() == "2024-04-07"
    with pytest.raises(PermissionDenied):
        _create(app, doc_id, person(app, CADRE))
    with pytest.raises(UserError, match="Giờ kết thúc phải sau"):
        _create(app, doc_id, officer, ends_at=START)


async def test_check_in_on_every_channel_becomes_an_acknowledgement(world):
    app, conversation, doc_id = world
    conference_id = _create(app, doc_id, person(app, OFFICER))
    conference = conferences.require(app, conference_id)
    pin_now(app, START + timedelta(minutes=5))
    code, seconds = conferences.current_code(app, conference)
    assert code.startswith(f"{conference_id}_") and 0 < seconds <= 60

    telegram = Chat(conversation, link(app, CADRE))
    reply = await telegram.text(f"/start hn_{code}")
    assert "Đã điểm danh: đồng chí Nguyễn Văn An" in reply and "10:05 ngày 07/04/2024" in reply
    assert "đã điểm danh" in await telegram.text(f"/start hn_{code}")

    zalo = Chat(conversation, link(app, CADRE2, "zalo"), "zalo")
    assert "Đã điểm danh" in await zalo.text(f"diemdanh {code.lower()}")

    rows = app.db.execute("SELECT channel, recorded_by FROM acks ORDER BY id").fetchall()
    assert rows == [(ledger.CONFERENCE, person_id(app, OFFICER))] * 2
    assert ledger.verify(app).ok
    channels = dict(app.db.execute("SELECT person_id, channel FROM conference_checkins").fetchall())
    assert channels == {person_id(app, CADRE): "telegram", person_id(app, CADRE2): "zalo"}
    attendance = conferences.attendance(app, conference_id)
    assert (attendance.invited, attendance.present, attendance.uninvited) == (4, 2, 0)
    by_unit = {u.name: (u.invited, u.present) for u in attendance.units}
    assert by_unit[BINH_DUONG] == (2, 1)


async def test_old_codes_early_and_late_check_ins_are_refused(world):
    app, conversation, doc_id = world
    conference_id = _create(app, doc_id, person(app, OFFICER))
    conference = conferences.require(app, conference_id)
    web = Chat(conversation, link(app, CADRE, "web"), "web")

    pin_now(app, START - timedelta(hours=2))
    code, _ = conferences.current_code(app, conference)
    assert "chưa mở điểm danh" in await web.text(f"/diemdanh {code}")

    pin_now(app, START + timedelta(minutes=10))
    photo, _ = conferences.current_code(app, conference)
    pin_now(app, START + timedelta(minutes=14))  # the photo sent home is four windows old
    assert "hết hiệu lực" in await web.text(f"/diemdanh {photo}")
    assert "không đúng" in await web.text("/diemdanh 999_ABCDEFGH")

    pin_now(app, START + timedelta(hours=3, minutes=1))
    late, _ = conferences.current_code(app, conference)
    assert "đã kết thúc" in await web.text(f"/diemdanh {late}")
    assert app.db.execute("SELECT COUNT(*) FROM acks").fetchone()[0] == 0


def test_the_day_before_reminder_goes_once_to_those_not_checked_in(world):
    app, _, doc_id = world
    conference_id = _create(app, doc_id, person(app, OFFICER))
    pin_now(app, START - timedelta(days=1, hours=3))  # 07:00 the day before: before send_hour
    assert conferences.remind_due(app, send_hour=8) == []
    pin_now(app, START - timedelta(hours=20))  # 14:00 the day before
    queued = reminders.run_due(app)  # the assignment's own reminder (due in a day) comes too
    broadcast_id = conferences.require(app, conference_id).reminder_id
    assert broadcast_id in queued
    text = app.db.execute("SELECT text FROM broadcasts WHERE id = ?", (broadcast_id,)).fetchone()[0]
    assert text.startswith("Nhắc lịch: ngày mai") and "Hội trường Huyện ủy Thăng Bình" in text
    assert conferences.remind_due(app, send_hour=8) == []
