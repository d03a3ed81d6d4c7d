"""The web channel over plain HTTP: logins, sessions, CSRF, roles, uploads and bad requests.

Each test runs the real routes (``bot.channels.web.setup``) on 127.0.0.1 through aiohttp's test
server, on a fresh database with the small province of ledger_support. The browser tests
(test_web_browser.py) cover what a person sees; these cover what an attacker or a mistake sends.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from io import BytesIO

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook

from bot import serve
from bot.channels import web as web_channel
from bot.channels.download_route import link_text, public_base
from bot.channels.web import auth, setup
from bot.channels.web.base import HERE, make_templates
from bot.channels.web_settings import ADMIN_PASSWORD_ENV, ADMIN_PHONE_ENV
from bot.core.chat.conversation import Conversation
from bot.core.chat.messages import Attachment, Reply
from bot.core.outbox import broadcasts
from bot.core.roster import audit, roster
from tests.ledger_support import PEOPLE, add_document, assign_all, load_province, write_xlsx

PASSWORD = "mật-khẩu-thử 123"
CSRF = re.compile(r'name="csrf(?:-token)?" (?:value|content)="([^"]+)"')


def csrf_of(html: str) -> str:
    match = CSRF.search(html)
    assert match, html[:500]
    return match.group(1)


@pytest.fixture
async def web_client(app, tmp_path, monkeypatch):
    monkeypatch.setenv(ADMIN_PASSWORD_ENV, PASSWORD)
    monkeypatch.delenv(ADMIN_PHONE_ENV, raising=False)
    load_province(app, tmp_path)
    web_app = web.Application()
    state = setup(web_app, app, Conversation(app))
    state.settings.login_delay_seconds = 0  # the delay is exercised in the browser run
    state.settings.max_upload_mb = 0.05
    async with TestClient(TestServer(web_app, host="127.0.0.1")) as client:
        client.state = state
        yield client


async def page_csrf(client: TestClient, path: str) -> str:
    response = await client.get(path)
    return csrf_of(await response.text())


async def admin_login(client: TestClient) -> str:
    csrf = await page_csrf(client, "/admin/login")
    response = await client.post("/admin/login", data={"csrf": csrf, "password": PASSWORD})
    assert response.status == 200 and response.url.path == "/admin"
    return csrf_of(await response.text())


def invite_for(app, phone: str) -> str:
    return next(i.code for i in roster.invites(app) if i.person.phone == phone)


async def chat_login(client: TestClient, code: str) -> str:
    csrf = await page_csrf(client, "/")
    response = await client.post("/login", data={"csrf": csrf, "code": code})
    assert response.status == 200 and response.url.path == "/", await response.text()
    return csrf_of(await response.text())


def audit_count(app, action: str) -> int:
    return app.db.execute("SELECT COUNT(*) FROM audit WHERE action = ?", (action,)).fetchone()[0]


# -- logins -------------------------------------------------------------------------------------


async def test_wrong_password_is_refused_then_locked_out(web_client):
    web_client.state.app.attempts.settings.first_delay_seconds = 600  # no timing in the test
    csrf = await page_csrf(web_client, "/admin/login")
    for _ in range(web_client.state.app.attempts.settings.free_failures):
        response = await web_client.post("/admin/login", data={"csrf": csrf, "password": "sai"})
        assert response.status == 401
        assert "Mật khẩu không đúng" in await response.text()
    response = await web_client.post("/admin/login", data={"csrf": csrf, "password": PASSWORD})
    assert response.status == 429
    assert "thử lại sau" in await response.text()
    assert web_client.session.cookie_jar.filter_cookies(web_client.make_url("/")).get("qt_session") is None


async def test_password_login_is_disabled_without_a_password(web_client, monkeypatch):
    monkeypatch.delenv(ADMIN_PASSWORD_ENV)
    response = await web_client.get("/admin/login")
    text = await response.text()
    assert ADMIN_PASSWORD_ENV in text and 'type="password"' not in text
    response = await web_client.post("/admin/login", data={"csrf": csrf_of(text), "password": ""})
    assert response.status == 403


async def test_password_login_acts_as_the_admin_phone_person(web_client, monkeypatch):
    monkeypatch.setenv(ADMIN_PHONE_ENV, "0905000001")
    await admin_login(web_client)
    response = await web_client.get("/admin")
    assert "Phan Văn Quản" in await response.text()
    app = web_client.state.app
    assert app.db.execute("SELECT COUNT(*) FROM people WHERE full_name = 'Quản trị hệ thống'").fetchone()[0] == 0


async def test_an_admin_phone_outside_the_roster_opens_the_operator_account(web_client, monkeypatch):
    """A new installation: the phone is set before any roster holds it. No lock-out; one operator."""
    monkeypatch.setenv(ADMIN_PHONE_ENV, "0999888777")
    app = web_client.state.app
    assert "Quản trị hệ thống" in auth.admin_identity(app) and "0999888777" in auth.admin_identity(app)
    await admin_login(web_client)
    await web_client.post("/logout", data={"csrf": await page_csrf(web_client, "/admin")})
    await admin_login(web_client)  # the same operator account again
    assert app.db.execute("SELECT COUNT(*) FROM people WHERE full_name = 'Quản trị hệ thống'").fetchone()[0] == 1
    monkeypatch.setenv(ADMIN_PHONE_ENV, "0905000001")
    assert auth.admin_identity(app) == "Phan Văn Quản (0905000001)"


async def test_the_password_admin_is_not_a_roster_member(web_client):
    app = web_client.state.app
    before = roster.member_counts(app)
    everyone = broadcasts.Audience().people(app)
    await admin_login(web_client)  # creates the local "Quản trị hệ thống" person (no unit)
    (system_admin,) = app.db.execute("SELECT id FROM people WHERE unit_id IS NULL").fetchone()
    assert roster.member_counts(app) == before
    assert broadcasts.Audience().people(app) == everyone and system_admin not in everyone
    assert system_admin not in broadcasts.Audience(roles=["admin"]).people(app)


async def test_session_cookie_flags_and_logout_ends_the_session(web_client):
    csrf = await page_csrf(web_client, "/admin/login")
    response = await web_client.post("/admin/login", data={"csrf": csrf, "password": PASSWORD}, allow_redirects=False)
    assert response.status == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie and "Path=/" in cookie
    token = response.cookies["qt_session"].value
    page = await web_client.get("/admin")
    csrf = csrf_of(await page.text())
    await web_client.post("/logout", data={"csrf": csrf})
    web_client.session.cookie_jar.update_cookies({"qt_session": token})  # replay the old cookie
    response = await web_client.get("/admin", allow_redirects=False)
    assert response.status == 303 and response.headers["Location"] == "/admin/login"


async def test_invite_login_errors_and_attempt_limit(web_client):
    web_client.state.app.attempts.settings.first_delay_seconds = 600  # no timing in the test
    csrf = await page_csrf(web_client, "/")
    response = await web_client.post("/login", data={"csrf": csrf, "code": "KHONGCO1"})
    assert response.status == 400
    assert "Mã mời “KHONGCO1” không đúng" in await response.text()
    for _ in range(web_client.state.app.attempts.settings.free_failures):
        await web_client.post("/login", data={"csrf": csrf, "code": "SAIMA123"})
    code = invite_for(web_client.state.app, "0905000004")
    response = await web_client.post("/login", data={"csrf": csrf, "code": code})
    assert response.status == 429


async def test_invite_login_links_a_web_account_and_relogin_works_on_the_same_browser(web_client):
    app = web_client.state.app
    code = invite_for(app, "0905000004")
    csrf = await chat_login(web_client, code)
    (external_id,) = app.db.execute("SELECT external_id FROM accounts WHERE channel = 'web'").fetchone()
    assert roster.person_for(app, "web", external_id).full_name == "Trần Thị Bình"
    response = await web_client.get("/api/messages")
    greeting = (await response.json())["messages"]
    assert greeting and "Chào đồng chí Trần Thị Bình" in greeting[0]["text"]
    await web_client.post("/logout", data={"csrf": csrf})
    assert (await web_client.get("/api/messages")).status == 401
    await chat_login(web_client, code)  # same browser (device cookie), same used code: accepted
    web_client.session.cookie_jar.clear()  # another browser: the used code may have been forwarded
    csrf = await page_csrf(web_client, "/")
    response = await web_client.post("/login", data={"csrf": csrf, "code": code})
    assert response.status == 400 and "đã được sử dụng" in await response.text()


# -- CSRF ---------------------------------------------------------------------------------------


async def test_posts_without_a_valid_csrf_token_change_nothing(web_client):
    app = web_client.state.app
    await admin_login(web_client)
    target = roster.find_people(app, "Nguyễn Văn An")[0]
    for data in ({"role": "admin"}, {"role": "admin", "csrf": "forged"}):
        response = await web_client.post(f"/admin/people/{target.id}/role", data=data)
        assert response.status == 403
        assert "Phiên làm việc đã hết hạn" in await response.text()
    assert roster.get_person(app, target.id).role == "cadre"
    before = app.db.execute("SELECT COUNT(*) FROM people").fetchone()[0]
    form = _upload_form("moi.csv", _csv_bytes([["Người Mới", PEOPLE[2][1], "", "0912000111", ""]]), csrf="forged")
    response = await web_client.post("/admin/roster", data=form)
    assert response.status == 403
    assert app.db.execute("SELECT COUNT(*) FROM people").fetchone()[0] == before
    response = await web_client.post("/api/send", json={"text": "xin chào"})
    assert response.status in (401, 403)


async def test_chat_api_needs_the_csrf_header(web_client):
    app = web_client.state.app
    await chat_login(web_client, invite_for(app, "0905000004"))
    token = await page_csrf(web_client, "/")
    before = app.db.execute("SELECT COUNT(*) FROM web_messages").fetchone()[0]
    response = await web_client.post("/api/send", json={"text": "/help"})
    assert response.status == 403
    assert app.db.execute("SELECT COUNT(*) FROM web_messages").fetchone()[0] == before
    response = await web_client.post("/api/send", json={"text": "/help"}, headers={"X-CSRF-Token": token})
    assert response.status == 200
    texts = [m["text"] for m in (await (await web_client.get("/api/messages")).json())["messages"]]
    assert texts[-2] == "/help" and "/cuatoi" in texts[-1]


def test_every_template_compiles():
    """A syntax error in a rarely opened page (or in a macro it imports) fails here, not in use."""
    env = make_templates()
    names = sorted(path.name for path in (HERE / "templates").glob("*.html"))
    assert len(names) > 20
    for name in names:
        env.get_template(name)


# -- roles --------------------------------------------------------------------------------------


ADMIN_PAGES = [
    "/admin",
    "/admin/broadcasts",
    "/admin/assignments/new",
    "/admin/questions",
    "/admin/documents",
    "/admin/roster",
    "/admin/people",
    "/admin/exports",
    "/admin/audit",
    "/admin/api/broadcasts",
]


async def test_a_cadre_gets_403_on_every_admin_route(web_client):
    app = web_client.state.app
    csrf = await chat_login(web_client, invite_for(app, "0905000004"))
    for path in ADMIN_PAGES:
        response = await web_client.get(path)
        assert response.status == 403, path
        if not path.startswith("/admin/api"):
            assert "Không có quyền truy cập" in await response.text()
    target = roster.find_people(app, "Nguyễn Văn An")[0]
    response = await web_client.post(f"/admin/people/{target.id}/role", data={"csrf": csrf, "role": "admin"})
    assert response.status == 403
    assert roster.get_person(app, target.id).role == "cadre"
    response = await web_client.post("/admin/assignments", data={"csrf": csrf, "document": "1", "due": "2099-12-31"})
    assert response.status == 403
    assert app.db.execute("SELECT COUNT(*) FROM broadcasts").fetchone()[0] == 0
    assert app.db.execute("SELECT COUNT(*) FROM audit WHERE action = 'web.page' AND allowed = 0").fetchone()[0] > 0


async def test_an_officer_sees_dashboards_but_not_admin_functions(web_client):
    app = web_client.state.app
    csrf = await chat_login(web_client, invite_for(app, "0905000002"))  # Lê Thị Tuyên, officer
    for path in ("/admin", "/admin/broadcasts", "/admin/assignments/new", "/admin/questions", "/admin/documents"):
        assert (await web_client.get(path)).status == 200, path
    for path in ("/admin/roster", "/admin/people", "/admin/exports", "/admin/audit"):
        assert (await web_client.get(path)).status == 403, path
    response = await web_client.post("/admin/exports", data={"csrf": csrf, "format": "xlsx"})
    assert response.status == 403
    assert audit_count(app, "export") == 0


async def test_a_refused_compose_form_comes_back_as_it_was_sent(web_client):
    """After a mistake the officer corrects only the mistake: an untouched "sub-units" box must not
    come back ticked (the next send would reach more people than chosen)."""
    app = web_client.state.app
    csrf = await chat_login(web_client, invite_for(app, "0905000002"))
    unit = roster.resolve_unit(app, "Huyện ủy Duy Xuyên").id
    add_document(app)
    checkbox = re.compile(r'<input type="checkbox" name="subunits" value="1"\s*(checked)?>')
    assert checkbox.search(await (await web_client.get("/admin/broadcasts")).text()).group(1) == "checked"
    sent = {"csrf": csrf, "units": str(unit), "require_ack": "1", "document": ""}  # no document: refused
    for path in ("/admin/broadcasts", "/admin/assignments"):
        response = await web_client.post(path, data=sent)
        page = await response.text()
        assert response.status == 400 and checkbox.search(page).group(1) is None, path
        assert re.search(rf'value="{unit}"\s*checked', page), path


# -- uploads ------------------------------------------------------------------------------------


def _csv_bytes(rows: list[list[str]]) -> bytes:
    lines = [",".join(["Họ và tên", "Đơn vị", "Chức vụ", "Số điện thoại", "Vai trò"])]
    lines += [",".join(r) for r in rows]
    return ("\ufeff" + "\n".join(lines) + "\n").encode()


def _upload_form(name: str, content: bytes, csrf: str, skip: bool = False):
    from aiohttp import FormData

    form = FormData()
    form.add_field("csrf", csrf)
    if skip:
        form.add_field("skip_invalid", "1")
    form.add_field("file", content, filename=name, content_type="application/octet-stream")
    return form


async def test_oversize_upload_gets_413_and_imports_nothing(web_client):
    app = web_client.state.app
    csrf = await admin_login(web_client)
    before = app.db.execute("SELECT COUNT(*) FROM people").fetchone()[0]
    big = _csv_bytes([[f"Người {i}", PEOPLE[2][1], "", f"09120{i:05d}", ""] for i in range(3000)])
    response = await web_client.post("/admin/roster", data=_upload_form("lon.csv", big, csrf))
    assert response.status == 413
    assert "quá lớn" in await response.text()
    assert app.db.execute("SELECT COUNT(*) FROM people").fetchone()[0] == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("anh.png", b"\x89PNG\r\n\x1a\n" + bytes(200), "không phải bảng tính"),
        ("gia.xlsx", b"day khong phai excel", "Không đọc được tệp"),
        ("nhiphan.csv", bytes(range(256)) * 4, "không phải UTF-8"),
    ],
)
async def test_a_file_that_is_not_a_spreadsheet_is_refused(web_client, name, content, message):
    app = web_client.state.app
    csrf = await admin_login(web_client)
    before = app.db.execute("SELECT COUNT(*) FROM people").fetchone()[0]
    response = await web_client.post("/admin/roster", data=_upload_form(name, content, csrf))
    assert response.status == 400
    assert message in await response.text()
    assert app.db.execute("SELECT COUNT(*) FROM people").fetchone()[0] == before


async def test_roster_import_reports_row_errors_and_skips_them_only_when_asked(web_client, tmp_path):
    app = web_client.state.app
    csrf = await admin_login(web_client)
    rows = [
        ["Mai Văn Mới", PEOPLE[2][1], "Chuyên viên", "0912000001", "cán bộ"],
        ["", PEOPLE[2][1], "", "0912000002", ""],
        ["Lý Thị Sai", PEOPLE[2][1], "", "0912000003", "thủ quỹ"],
    ]
    content = write_xlsx(tmp_path / "ds.xlsx", rows).read_bytes()
    response = await web_client.post("/admin/roster", data=_upload_form("ds.xlsx", content, csrf))
    text = await response.text()
    assert response.status == 400
    assert "Chưa nhập gì" in text and "thiếu họ và tên" in text and "thủ quỹ" in text
    assert not roster.find_people(app, "Mai Văn Mới")
    response = await web_client.post("/admin/roster", data=_upload_form("ds.xlsx", content, csrf, skip=True))
    assert response.status == 200
    assert "Đã nhập 1/3 dòng" in await response.text()
    assert roster.find_people(app, "Mai Văn Mới")
    assert (
        app.db.execute(
            "SELECT COUNT(*) FROM audit WHERE action = 'roster.import' AND channel = 'web' AND allowed = 1"
        ).fetchone()[0]
        == 2
    )


# -- exports and role changes -------------------------------------------------------------------


async def test_admin_export_download_and_role_change_are_audited(web_client):
    app = web_client.state.app
    aid = assign_all(app, add_document(app), due=date.today() + timedelta(days=10))
    csrf = await admin_login(web_client)
    response = await web_client.post("/admin/exports", data={"csrf": csrf, "format": "xlsx", "assignment": str(aid)})
    assert response.status == 200
    assert "filename*=UTF-8''bao-cao-quan-triet-" in response.headers["Content-Disposition"]
    book = load_workbook(BytesIO(await response.read()))
    assert {"Tổng hợp", "Chi tiết"} <= set(book.sheetnames)
    response = await web_client.post("/admin/exports", data={"csrf": csrf, "format": "csv", "since": "15/4"})
    assert response.status == 400 and "không đúng dạng ngày" in await response.text()
    target = roster.find_people(app, "Nguyễn Văn An")[0]
    response = await web_client.post(f"/admin/people/{target.id}/role", data={"csrf": csrf, "role": "officer"})
    assert response.status == 200 and "Đã cập nhật vai trò của Nguyễn Văn An" in await response.text()
    assert roster.get_person(app, target.id).role == "officer"
    actions = {(e.action, e.allowed, e.channel) for e in audit.recent(app)}
    assert {("export", True, "web"), ("roster.role", True, "web"), ("web.login", True, "web")} <= actions


async def test_a_chat_attachment_is_a_download_link_for_its_owner_only(web_client):
    app = web_client.state.app
    assign_all(app, add_document(app), due=date.today() + timedelta(days=10))
    csrf = await admin_login(web_client)
    response = await web_client.post("/api/send", json={"text": "/xuatbaocao"}, headers={"X-CSRF-Token": csrf})
    assert response.status == 200
    messages = (await (await web_client.get("/api/messages")).json())["messages"]
    report = messages[-1]
    assert report["text"].startswith("Báo cáo quán triệt") and report["file"]["name"].endswith(".xlsx")
    response = await web_client.get(report["file"]["url"])
    assert response.status == 200
    assert load_workbook(BytesIO(await response.read())).sheetnames[:2] == ["Tổng hợp", "Chi tiết"]
    web_client.session.cookie_jar.clear()
    await chat_login(web_client, invite_for(app, "0905000004"))  # someone else's session
    response = await web_client.get(report["file"]["url"])
    assert response.status == 404


async def test_question_log_puts_unanswered_first_and_documents_show_duties(web_client):
    app = web_client.state.app
    add_document(app)
    for asked_at, question, confident in (
        ("2024-04-01T01:00:00+00:00", "Hạn quán triệt?", 1),
        ("2024-04-01T00:00:00+00:00", "Giá xăng hôm nay?", 0),
    ):
        app.db.execute(
            "INSERT INTO questions (asked_at, channel, question, answer, confident) VALUES (?, 'zalo', ?, '…', ?)",
            (asked_at, question, confident),
        )
    await chat_login(web_client, invite_for(app, "0905000002"))  # an officer
    text = await (await web_client.get("/admin/questions")).text()
    assert text.index("Giá xăng hôm nay?") < text.index("Hạn quán triệt?")
    assert "Chưa trả lời được" in text and "Zalo" in text
    text = await (await web_client.get("/admin/questions?loc=chua")).text()
    assert "Giá xăng hôm nay?" in text and "Hạn quán triệt?" not in text
    text = await (await web_client.get("/admin/documents")).text()
    assert "69-KL/TW" in text and "Đảng đoàn HĐND tỉnh" in text and "15/04/2024" in text
    removed = add_document(app, number="99-NQ/TW", title="Nghị quyết đã gỡ khỏi kho")
    app.db.execute("UPDATE documents SET removed_at = '2024-04-02T00:00:00+00:00' WHERE id = ?", (removed,))
    assert "Nghị quyết đã gỡ khỏi kho" not in await (await web_client.get("/admin/documents")).text()
    assert "Nghị quyết đã gỡ khỏi kho" not in await (await web_client.get("/admin/broadcasts")).text()


async def test_broadcast_page_names_the_main_failure_reasons(web_client):
    app = web_client.state.app
    people = [r[0] for r in app.db.execute("SELECT id FROM people LIMIT 3")]
    broadcast = broadcasts.enqueue(app, "broadcast", Reply("Thông báo họp"), people)
    app.db.execute(
        "UPDATE deliveries SET status = 'failed', error = 'Zalo OA: người dùng chưa tương tác trong 7 ngày' "
        "WHERE broadcast_id = ?",
        (broadcast,),
    )
    await admin_login(web_client)
    text = await (await web_client.get(f"/admin/broadcasts/{broadcast}")).text()
    assert "Nguyên nhân lỗi chính" in text and "chưa tương tác trong 7 ngày — <strong>3</strong>" in text


async def test_unknown_ids_and_junk_get_vietnamese_errors(web_client):
    await admin_login(web_client)
    response = await web_client.get("/admin/assignments/999")
    assert response.status == 404 and "Không có đợt quán triệt số 999" in await response.text()
    response = await web_client.get("/admin/assignments/abc/pending")
    assert response.status == 404
    response = await web_client.get("/files/12345")
    assert response.status == 404 and "Không tìm thấy tệp" in await response.text()


async def test_links_use_the_address_serve_bound(app, monkeypatch):
    monkeypatch.delenv("QUANTRIET_PUBLIC_URL", raising=False)
    service = serve.build(app, (web_channel,), host="127.0.0.1", port=0)
    assert any("{base}/admin" in line for line in service.notes)  # filled in once bound
    async with serve.running(service, "127.0.0.1", 0) as port:
        assert port != web_channel.WebSettings.load(app.config).port
        assert public_base(app) == f"http://127.0.0.1:{port}"
        line = link_text(app, Attachment("bao-cao.csv", b"x", "text/csv"), "export")
        assert f"http://127.0.0.1:{port}/tai/" in line
    monkeypatch.setenv("QUANTRIET_PUBLIC_URL", "https://quantriet.example.vn/")
    assert public_base(app) == "https://quantriet.example.vn"
