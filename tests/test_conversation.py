"""The channel-neutral conversation core, driven directly (no HTTP): every flow once."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook

from bot.core.chat import study
from bot.core.chat.conversation import Conversation, parse_command
from bot.core.evidence import assignments
from bot.core.outbox import broadcasts
from bot.core.roster import roster
from tests.chat_support import ADMIN, CADRE, CADRE2, OFFICER, Chat, build_world, link, payloads
from tests.ledger_support import person_id


@pytest.fixture
def world(app, tmp_path):
    doc_id = build_world(app, tmp_path)
    queued: list[int] = []
    conversation = Conversation(app, on_queued=lambda: queued.append(1))
    return app, conversation, doc_id, queued


def chat(conversation, phone_or_id, channel="telegram", app=None):
    external_id = link(app, phone_or_id, channel) if app is not None else phone_or_id
    return Chat(conversation, external_id, channel)


def deliveries(app, broadcast_id=None):
    sql = "SELECT person_id, status FROM deliveries"
    return app.db.execute(
        sql + (" WHERE broadcast_id = ?" if broadcast_id else ""), (broadcast_id,) if broadcast_id else ()
    ).fetchall()


def test_commands_with_or_without_slash_and_marks():
    assert parse_command("/hanchot") == ("hanchot", "")
    assert parse_command("hanchot") == ("hanchot", "")
    assert parse_command("Hạn chót") == ("hanchot", "")
    assert parse_command("/start@quantriet_bot ABC123") == ("start", "ABC123")
    assert parse_command("start ABC123") == ("start", "ABC123")
    assert parse_command("/khongco") == ("khongco", "")
    assert parse_command("giao nhiệm vụ cho ai?") is None
    assert parse_command("tiendo 30/6/2025") == ("tiendo", "30/6/2025")  # Zalo, without "/"
    assert parse_command("tiến độ quán triệt ra sao?") is None


async def test_unknown_user_is_offered_three_ways_in(world):
    _app, conversation, *_ = world
    telegram = Chat(conversation, "777")
    [reply] = await telegram.say("/start")
    assert reply.request_contact and payloads([reply]) == ["reg:code", "reg:self"]
    assert "số điện thoại" in reply.text
    [reply] = await Chat(conversation, "z1", "zalo").say("start")
    assert not reply.request_contact  # Zalo cannot prove a phone number is the sender's own
    assert "số điện thoại" not in reply.text
    assert "chưa đăng ký" in await telegram.text("/cuatoi")


async def test_invite_code_by_deep_link_and_typed(world, tmp_path):
    app, conversation, *_ = world
    codes = {i.person.phone: i.code for i in roster.invites(app, actor=None)}
    replies = await Chat(conversation, "1001").say(f"/start {codes[CADRE]}")
    assert "Đã liên kết tài khoản với đồng chí Nguyễn Văn An" in replies[0].text
    zalo = Chat(conversation, "z2", "zalo")
    assert "Đã liên kết" in await zalo.text(codes[CADRE2].lower())  # typed without /start, any case
    assert roster.person_for(app, "zalo", "z2").phone == CADRE2
    assert "không đúng" in await Chat(conversation, "1002").text("/start ZZZZ9999")


async def test_contact_links_by_phone(world):
    app, conversation, *_ = world
    user = Chat(conversation, "2001")
    replies = await user.share("+84905000003")
    assert "Nguyễn Văn An" in replies[0].text
    assert roster.person_for(app, "telegram", "2001").phone == CADRE
    assert "chưa có trong danh sách" in (await Chat(conversation, "2002").share("0999999999"))[0].text


async def test_self_registration_is_approved_by_an_officer(world):
    app, conversation, _, queued = world
    officer = chat(conversation, OFFICER, app=app)
    newcomer = Chat(conversation, "3001")
    await newcomer.say("/start")
    assert "họ và tên" in await newcomer.text("2")  # "2" = the second offered choice: self-register
    assert "đơn vị" in await newcomer.text("Lê Văn Mới")
    choice = await newcomer.say("Xã Bình")  # two communes match: offered as choices
    assert len(payloads(choice)) == 2
    assert "Đã gửi đăng ký" in await newcomer.text("1")
    pending = roster.person_for(app, "telegram", "3001")
    assert pending.status == "pending" and pending.unit_name == "Xã Bình Dương"
    notice = app.db.execute(
        "SELECT b.reply FROM broadcasts b JOIN deliveries d ON d.broadcast_id = b.id WHERE d.person_id = ?",
        (person_id(app, OFFICER),),
    ).fetchone()[0]
    assert f"reg:ok:{pending.id}" in notice and queued
    assert "chờ cán bộ tuyên giáo duyệt" in await newcomer.text("/cuatoi")
    replies = await officer.press(f"reg:ok:{pending.id}")
    assert "Đã duyệt" in replies[0].text
    assert roster.person_for(app, "telegram", "3001").status == "active"


async def test_help_depends_on_the_role(world):
    app, conversation, *_ = world
    cadre = await chat(conversation, CADRE, app=app).text("/help")
    officer = await chat(conversation, OFFICER, app=app).text("help")
    admin = await chat(conversation, ADMIN, app=app).text("/help")
    assert "/cuatoi" in cadre and "/phatthanh" not in cadre
    assert "/phatthanh" in officer and "/xuatbaocao" not in officer
    assert "/xuatbaocao" in admin and "/vaitro" in admin
    assert "/start" in await Chat(conversation, "4001").text("/help")


@pytest.mark.parametrize("command", ["/phatthanh", "/giao", "/tiendo", "/nhacnho", "/xuatbaocao", "/vaitro"])
async def test_privileged_commands_are_refused_and_audited(world, command):
    app, conversation, *_ = world
    for user in (chat(conversation, CADRE, app=app), Chat(conversation, "5001")):
        text = await user.text(command)
        assert text.startswith("Đồng chí không có quyền")  # the chat addresses every user as "đồng chí"
    rows = app.db.execute("SELECT person_id, channel, allowed FROM audit WHERE allowed = 0").fetchall()
    assert len(rows) == 2 and all(r[1] == "telegram" for r in rows)
    assert {r[0] for r in rows} == {person_id(app, CADRE), None}


async def test_unlinked_chat_cannot_press_an_approval_button(world):
    app, conversation, *_ = world
    replies = await Chat(conversation, "5002").press(f"reg:ok:{person_id(app, CADRE)}")
    assert "không có quyền" in replies[0].text
    row = app.db.execute("SELECT person_id, channel, action, allowed, detail FROM audit WHERE allowed = 0").fetchone()
    assert row[:4] == (None, "telegram", "roster.approve", 0) and "5002" in row[4]


async def test_officer_commands_refused_to_officers_where_admin_only(world):
    app, conversation, *_ = world
    officer = chat(conversation, OFFICER, app=app)
    assert "không có quyền" in await officer.text("/xuatbaocao")
    assert "không có quyền" in await officer.text("/vaitro")


async def test_acknowledgement_by_number_keyword_and_button(world):
    app, conversation, doc_id, _ = world
    assignment = assignments.create_assignment(app, None, doc_id, date(2024, 4, 15))
    cadre = chat(conversation, CADRE, app=app)
    replies = await cadre.say("/cuatoi")
    message = replies[-1]
    assert "69-KL/TW" in message.text and "15/04/2024 (còn 10 ngày)" in message.text
    assert "Nhiệm vụ chính" in message.text and payloads([message]) == [f"ack:{assignment}"]
    assert "Đã ghi nhận" in await cadre.text("1")
    assert "đã xác nhận quán triệt" in (await cadre.press(f"ack:{assignment}"))[0].text
    other = chat(conversation, CADRE2, "zalo", app=app)
    assert "Đã ghi nhận" in await other.text("Da quan triet!")
    assert "đầy đủ" in await other.text("đã quán triệt")


async def test_comprehension_check_before_acknowledgement(world):
    app, conversation, doc_id, _ = world
    assignment = assignments.create_assignment(app, None, doc_id, date(2024, 4, 15), require_check=True)
    cadre = chat(conversation, CADRE, app=app)
    replies = await cadre.press(f"ack:{assignment}")
    assert "câu hỏi ngắn" in replies[0].text
    for _ in range(5):
        question = replies[-1]
        assert question.text.startswith("Câu ")
        attempt, index = (int(x) for x in payloads([question])[0].split(":")[2:4])
        stored = json.loads(
            app.db.execute("SELECT questions FROM check_attempts WHERE id = ?", (attempt,)).fetchone()[0]
        )
        right = stored[index]["answer"]
        replies = await cadre.say(str(right + 1))
        if "Đã ghi nhận" in replies[-1].text:
            break
    assert "Kết quả kiểm tra: 3/3" in replies[-1].text
    assert app.db.execute("SELECT check_score FROM acks").fetchone()[0] == "3/3"


async def test_broadcast_compose_preview_confirm(world):
    app, conversation, _doc_id, queued = world
    officer = chat(conversation, OFFICER, app=app)
    for phone in (CADRE, CADRE2):
        link(app, phone)
    assert "Soạn thông báo" in await officer.text("/phatthanh")
    attach = await officer.say("Kính gửi các đồng chí: họp trực tuyến lúc 14h00 thứ Sáu.")
    assert payloads(attach)[-1] == "f:compose:none"
    assert "Gửi tới ai" in await officer.text(str(len(payloads(attach))))  # "Không kèm văn bản"
    preview = await officer.say("1")  # Tất cả cán bộ
    assert "họp trực tuyến" in preview[1].text
    assert "Người nhận: 8 người (3 tài khoản đã liên kết, 5 người chưa liên kết)" in preview[2].text
    ok, cancel = payloads(preview)
    broadcast_id = int(ok.rsplit(":", 1)[1])
    assert "Đã bắt đầu gửi" in await officer.text("Gửi")  # the label works as well as "1"
    assert queued
    rows = deliveries(app, broadcast_id)
    assert len(rows) == 8 and sorted(s for _, s in rows).count("pending") == 3
    assert "đã được xử lý" in (await officer.press(cancel))[0].text
    audit = app.db.execute("SELECT allowed FROM audit WHERE action = 'broadcast'").fetchall()
    assert audit == [(1,)]


async def test_broadcast_with_document_requires_acknowledgement_by_units(world):
    app, conversation, doc_id, _ = world
    officer = chat(conversation, OFFICER, app=app)
    await officer.say("/phatthanh")
    await officer.press(f"f:compose:d{doc_id}")
    await officer.press("f:compose:skip")
    units = await officer.press("f:compose:units")
    assert payloads(units)  # the districts under the province
    await officer.say("Huyện ủy Thăng Bình")
    await officer.press("f:compose:yes")  # with its communes
    await officer.press("f:compose:yes")  # acknowledgement required
    assert "kiểm tra nhanh" in await officer.text("15/04/2024")
    preview = await officer.press("f:compose:no")  # no check
    assert "Người nhận: 4 người" in preview[-1].text
    await officer.press(payloads(preview)[0])
    assignment = assignments.latest_assignment(app)
    assert assignment.due_date == date(2024, 4, 15) and assignments.member_count(app, assignment.id) == 4
    reply = json.loads(
        app.db.execute("SELECT reply FROM broadcasts WHERE assignment_id = ?", (assignment.id,)).fetchone()[0]
    )
    assert reply["buttons"][0][0]["data"] == f"ack:{assignment.id}"


async def test_giao_creates_an_assignment_with_a_check(world):
    app, conversation, _doc_id, _ = world
    officer = chat(conversation, OFFICER, app=app)
    await officer.say("/giao")
    assert "Gửi tới ai" in await officer.text("kl69")  # the document named as people type it
    await officer.press("f:compose:all")
    assert "không trước hôm nay" in await officer.text("01/01/2020")
    await officer.press("f:compose:+14")
    preview = await officer.press("f:compose:yes")
    await officer.press(payloads(preview)[0])
    assignment = assignments.latest_assignment(app)
    assert assignment.require_check and assignment.due_date == date(2024, 4, 19)


async def test_cancel_and_expired_buttons(world):
    app, conversation, *_ = world
    officer = chat(conversation, OFFICER, app=app)
    await officer.say("/phatthanh")
    assert "Đã hủy" in await officer.text("/huy")
    assert "hết hiệu lực" in (await officer.press("f:compose:all"))[0].text
    assert "hết hiệu lực" in (await officer.press("ack:abc"))[0].text
    assert "hết hiệu lực" in (await officer.press("nothing"))[0].text
    assert "Không có thao tác" in await officer.text("huy")


async def test_progress_reminder_and_export(world):
    app, conversation, doc_id, _ = world
    assignment = assignments.create_assignment(app, None, doc_id, date(2024, 4, 15))
    link(app, CADRE)
    await chat(conversation, CADRE2, app=app).press(f"ack:{assignment}")
    officer = chat(conversation, OFFICER, app=app)
    progress = await officer.text("/tiendo")
    assert "1/8 đã xác nhận (12,5\u00a0%)" in progress and "Huyện ủy Thăng Bình" in progress
    assert "7 người chưa xác nhận" in await officer.text("/nhacnho")
    reminder = app.db.execute("SELECT kind, progress_ref FROM broadcasts ORDER BY id DESC").fetchone()
    assert reminder[0] == "reminder" and json.loads(reminder[1])["external_id"] == OFFICER
    [reply] = await chat(conversation, ADMIN, app=app).say("/xuatbaocao")
    assert reply.attachment.filename.endswith(".xlsx")
    sheet = load_workbook(io.BytesIO(reply.attachment.content))
    assert len(sheet.sheetnames) == 2


async def test_progress_names_the_main_failure_reasons(world):
    app, conversation, doc_id, _ = world
    assignment = assignments.create_assignment(app, None, doc_id, date(2024, 4, 15))
    people = assignments.member_ids(app, assignment)
    broadcast = broadcasts.enqueue(
        app, "assignment", study.assignment_message(app, assignment), people, assignment_id=assignment
    )
    cold = "Zalo OA: người dùng chưa tương tác trong 7 ngày"
    errors = [cold, cold, cold, "Telegram: chat not found", "Zalo OA: HTTP 500", "Zalo OA: HTTP 502"]
    for error, person in zip(errors, people):
        app.db.execute(
            "UPDATE deliveries SET status = 'failed', error = ? WHERE broadcast_id = ? AND person_id = ?",
            (error, broadcast, person),
        )
    app.db.execute("UPDATE deliveries SET status = 'blocked', error = 'blocked' WHERE person_id = ?", (people[-1],))
    progress = await chat(conversation, OFFICER, app=app).text("/tiendo")
    reasons = progress[progress.index("Nguyên nhân lỗi chính:") :].splitlines()
    assert reasons[1] == f"• {cold} — 3" and len(reasons) == 4  # the top 3 only
    assert broadcasts.failure_reasons(app, [broadcast], limit=10)[-1] == ("Zalo OA: HTTP 502", 1)
    assert ("Người nhận đã chặn trợ lý", 1) in broadcasts.failure_reasons(app, [broadcast], limit=10)


async def test_role_change_by_admin(world):
    app, conversation, *_ = world
    admin = chat(conversation, ADMIN, app=app)
    assert "Gõ họ tên" in await admin.text("/vaitro")
    roles = await admin.say("Nguyen Van An")  # without diacritics
    assert f"vt:{person_id(app, CADRE)}:officer" in payloads(roles)
    assert "cán bộ tuyên giáo" in await admin.text("1")
    assert roster.get_person(app, person_id(app, CADRE)).role == "officer"


async def test_documents_deadlines_duties_and_sections(world):
    app, conversation, doc_id, _ = world
    cadre = chat(conversation, CADRE, app=app)
    documents = await cadre.say("/vanban")
    assert payloads(documents) == [f"doc:{doc_id}"]
    deadlines = await cadre.text("hanchot")
    assert "15/04/2024 (còn 10 ngày)" in deadlines and "30/04/2024" in deadlines
    duties = await cadre.text("/nhiemvu")
    assert "Các cấp ủy, tổ chức đảng" in duties and "Đảng đoàn HĐND tỉnh" not in duties
    chunk = app.db.execute("SELECT id FROM chunks WHERE seq = 1").fetchone()[0]
    parts = await cadre.press(f"sec:{chunk}")
    assert len(parts) > 1 and all(len(p.text) <= 3500 for p in parts)
    assert parts[0].text.startswith("69-KL/TW – 7. Tổ chức thực hiện")
    assert "Không tìm thấy" in (await cadre.press("sec:99999"))[0].text


async def test_removed_documents_are_not_listed(world):
    app, conversation, doc_id, _ = world
    app.db.execute("UPDATE documents SET removed_at = '2024-04-02T00:00:00+00:00' WHERE id = ?", (doc_id,))
    cadre = chat(conversation, CADRE, app=app)
    assert (await cadre.text("/vanban")).startswith("Chưa có văn bản nào")
    assert "15/04/2024" not in await cadre.text("/hanchot")
    assert "Các cấp ủy, tổ chức đảng" not in await cadre.text("/nhiemvu")


async def test_a_crash_in_a_handler_is_an_apology(world, monkeypatch):
    app, conversation, *_ = world
    from bot.core.chat import library

    monkeypatch.setattr(library, "documents", lambda turn, arg: 1 / 0)
    monkeypatch.setitem(
        __import__("bot.core.chat.conversation", fromlist=["COMMANDS"]).COMMANDS, "vanban", library.documents
    )
    assert "Xin lỗi" in await chat(conversation, CADRE, app=app).text("/vanban")


async def test_document_details_show_its_particulars(world):
    """/vanban → a document: the signer read from its signature block is shown."""
    app, conversation, doc_id, _ = world
    app.db.execute(
        "INSERT INTO chunks (document_id, seq, section_path, heading, text, text_hash) VALUES (?, 9, '', '', ?, 's')",
        (doc_id, "T/M BỘ CHÍNH TRỊ (Đã ký) Trương Thị Mai"),
    )
    cadre = chat(conversation, CADRE, app=app)
    details = (await cadre.press(f"doc:{doc_id}"))[0].text
    assert "Người ký: Trương Thị Mai (thay mặt Bộ Chính trị)" in details
