"""The officer's pages in real Chromium, in file order on one server and database.

The quán triệt conference: an officer creates it on the web (touch unit picker), the venue screen
shows the rotating QR code, a cadre on a phone opens the QR's link, checks in through the web chat,
and the officer's page counts them without a reload. Invite codes: re-issue, revoke, and the
printable A4 sheet whose QR code logs a cadre in.

No embedding model and no ../shared texts are needed: the catalogue holds one document inserted
directly (tests/ledger_support.py). Screenshots of the conference page and the venue screen go to docs/.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import pytest_asyncio
from playwright.async_api import expect

from bot.app import App
from bot.channels.web.base import STATE
from bot.channels.web_settings import ADMIN_PASSWORD_ENV, ADMIN_PHONE_ENV
from bot.config import Config
from bot.core.roster import roster
from tests.browser import BROWSER_TESTS, chromium_browser, live_server  # noqa: F401  (the session-wide browser)
from tests.conftest import REPO
from tests.ledger_support import add_document, load_province

pytestmark = BROWSER_TESTS

PASSWORD = "thu-nghiem-hoi-nghi"
CADRE_PHONE = "0905000004"  # Trần Thị Bình, Xã Bình Dương (under Huyện ủy Thăng Bình)
PHONE = {"viewport": {"width": 390, "height": 800}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}
DESKTOP = {"viewport": {"width": 1280, "height": 860}, "locale": "vi-VN"}
DOCS = REPO / "docs"
WAIT_MS = 20_000


@dataclass
class World:
    url: str
    app: App
    codes: dict[str, str]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    data = tmp_path_factory.mktemp("conference") / "data"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("QUANTRIET_DATA_DIR", str(data))
        env.setenv(ADMIN_PASSWORD_ENV, PASSWORD)
        env.delenv(ADMIN_PHONE_ENV, raising=False)
        app = App(Config.load(REPO / "config.toml"))
        load_province(app, tmp_path_factory.mktemp("roster"))
        add_document(app)
        codes = {i.person.phone: i.code for i in roster.invites(app)}
        async with live_server(App(Config.load(REPO / "config.toml"))) as (service, url):
            service.web[STATE].settings.poll_seconds = 1
            yield World(url, app, codes)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def officer(world: World, chromium_browser):  # noqa: F811
    context = await chromium_browser.new_context(**DESKTOP)
    page = await context.new_page()
    await page.goto(world.url + "/admin/login")
    await page.get_by_label("Mật khẩu quản trị").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("heading", name="Tổng quan quán triệt")).to_be_visible()
    yield page
    await context.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def cadre(world: World, chromium_browser):  # noqa: F811
    context = await chromium_browser.new_context(**PHONE)
    yield await context.new_page()
    await context.close()


async def test_officer_creates_a_conference_with_the_touch_unit_picker(world: World, officer) -> None:
    await officer.get_by_role("link", name="Hội nghị").click()
    await officer.get_by_label("Tên hội nghị").fill("Hội nghị học tập, quán triệt Kết luận 69-KL/TW")
    today = await officer.locator("input[name=day]").get_attribute("min")
    await officer.locator("input[name=day]").fill(today or "")
    await officer.get_by_label("Bắt đầu").fill("00:00")
    await officer.get_by_label("Kết thúc").fill("23:59")
    await officer.get_by_label("Địa điểm").fill("Hội trường Huyện ủy Thăng Bình")
    await officer.get_by_label("Tìm đơn vị").fill("huyen uy thang")  # typed without diacritics
    visible = officer.locator(".unit-list label:visible")
    await expect(visible).to_have_count(3)  # the district and, under it, its two communes
    await expect(visible.first).to_have_text("Huyện ủy Thăng Bình")
    await visible.first.get_by_role("checkbox").check()
    await expect(officer.locator("[data-picked]")).to_have_text("Đã chọn 1 đơn vị.")
    await officer.get_by_role("button", name="Tạo hội nghị và gửi giấy mời").click()

    await expect(officer.get_by_role("heading", name=re.compile("Hội nghị học tập"))).to_be_visible()
    await expect(officer.locator("[data-live=invited]")).to_have_text("4")
    await expect(officer.locator("[data-live=present]")).to_have_text("0")
    await expect(officer.locator("[data-live=percent]")).to_have_text("0\u00a0%")
    (invited,) = world.app.db.execute(
        "SELECT COUNT(*) FROM deliveries d JOIN conferences c ON c.invitation_id = d.broadcast_id"
    ).fetchone()
    assert invited == 4


async def test_cadre_scans_the_qr_code_and_the_page_counts_live(world: World, officer, cadre) -> None:
    conference_url = officer.url
    await officer.get_by_role("link", name="Mở màn hình mã QR điểm danh").click()
    qr = officer.locator("#qr")
    await expect(qr.locator("svg")).to_be_visible()
    link = await qr.get_attribute("data-url")
    assert link and re.search(r"/diemdanh/\d+_[A-Z2-7]{8}$", link)
    DOCS.mkdir(exist_ok=True)
    await officer.screenshot(path=str(DOCS / "conference-qr.png"))

    # the cadre's phone: logged in to the web chat, then opens the link the QR code holds
    await cadre.goto(world.url + "/")
    await cadre.get_by_label("Mã mời").fill(world.codes[CADRE_PHONE])
    await cadre.get_by_role("button", name="Bắt đầu trò chuyện").click()
    await expect(cadre.locator(".msg.out").first).to_contain_text("Chào đồng chí Trần Thị Bình")
    await cadre.goto(world.url + urlsplit(link).path)
    await expect(cadre.get_by_role("heading", name="Điểm danh hội nghị")).to_be_visible()
    await cadre.get_by_role("button", name="Điểm danh").click()
    await expect(cadre.locator(".msg.out").last).to_contain_text(
        "Đã điểm danh: đồng chí Trần Thị Bình", timeout=WAIT_MS
    )

    await officer.goto(conference_url)
    await expect(officer.locator("[data-live=present]")).to_have_text("1")
    (channel,) = world.app.db.execute("SELECT channel FROM acks").fetchone()
    assert channel == "hội nghị"

    # a second cadre's check-in appears on the open page without a reload (through the core, as Zalo would)
    from bot.core.evidence import conferences

    conference = conferences.list_conferences(world.app)[0]
    code, _ = conferences.current_code(world.app, conference)
    other = roster.get_person(
        world.app, world.app.db.execute("SELECT id FROM people WHERE phone = '0905000005'").fetchone()[0]
    )
    assert other is not None
    conferences.check_in(world.app, other, code, "zalo")
    await expect(officer.locator("[data-live=present]")).to_have_text("2", timeout=WAIT_MS)
    await expect(officer.locator("[data-live=percent]")).to_have_text("50\u00a0%")
    await expect(officer.locator("#live")).to_be_visible()
    await officer.screenshot(path=str(DOCS / "conference.png"), full_page=True)


async def test_the_check_in_page_without_a_login_explains_the_channels(world: World, chromium_browser) -> None:  # noqa: F811
    from bot.core.evidence import conferences

    conference = conferences.list_conferences(world.app)[0]
    code, _ = conferences.current_code(world.app, conference)
    context = await chromium_browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(f"{world.url}/diemdanh/{code}")
    await expect(page.locator("main")).to_contain_text(f"diemdanh {code}")
    await expect(page.get_by_role("link", name="Đăng nhập trò chuyện trên web")).to_be_visible()
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    await context.close()


async def test_invite_codes_reissue_revoke_and_the_printed_sheet(world: World, officer, chromium_browser) -> None:  # noqa: F811
    await officer.goto(world.url + "/admin/invites")
    await officer.get_by_label("Đơn vị").select_option(label="Tỉnh ủy Quảng Nam > Huyện ủy Thăng Bình > Xã Bình Dương")
    await officer.get_by_role("button", name="Xem").click()
    rows = officer.locator("tbody tr")
    await expect(rows.filter(has_text="Trần Thị Bình")).to_contain_text("Đã kết nối")
    await expect(rows.filter(has_text="Võ Văn Cường")).to_contain_text(world.codes["0905000005"])

    await officer.get_by_role("button", name="Cấp mã mới cho Võ Văn Cường").click()
    await expect(officer.get_by_role("status")).to_contain_text("Mã mời mới của Võ Văn Cường")
    new_code = (await officer.get_by_role("status").inner_text()).rsplit(" ", 1)[-1]
    assert new_code != world.codes["0905000005"]
    await officer.get_by_role("button", name="Thu hồi mã của Võ Văn Cường").click()
    await expect(officer.get_by_role("status")).to_contain_text("Đã thu hồi mã mời của Võ Văn Cường")
    await expect(rows.filter(has_text="Võ Văn Cường")).not_to_contain_text(new_code)

    async with officer.expect_popup() as popup_info:
        await officer.get_by_role("link", name=re.compile("In phiếu mời")).click()
    sheet = await popup_info.value
    cards = sheet.locator(".invite-card")
    await expect(cards).to_have_count(1)  # Võ Văn Cường (a fresh code); Trần Thị Bình is connected
    await expect(cards.first).to_contain_text("Võ Văn Cường")
    await expect(cards.first.locator("svg")).to_be_visible()
    code = (await cards.first.locator(".invite-code b").inner_text()).strip()
    pdf = await sheet.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    await sheet.close()

    # the QR code holds the web chat's address with the code: it logs the cadre in
    context = await chromium_browser.new_context(**PHONE)
    phone = await context.new_page()
    await phone.goto(f"{world.url}/?code={code}")
    await expect(phone.get_by_label("Mã mời")).to_have_value(code)
    await phone.get_by_role("button", name="Bắt đầu trò chuyện").click()
    await expect(phone.locator(".msg.out").first).to_contain_text("Chào đồng chí Võ Văn Cường")
    await context.close()
    actions = {r[0] for r in world.app.db.execute("SELECT action FROM audit WHERE channel = 'web' AND allowed = 1")}
    assert {"roster.invites", "roster.invite_revoke", "conference.create"} <= actions


async def test_broadcast_detail_shows_each_person_and_words_that_agree(world: World, officer) -> None:
    await officer.goto(world.url + "/admin/broadcasts")
    await officer.get_by_label("Nội dung").fill("Đề nghị các đồng chí dự hội nghị quán triệt đầy đủ.")
    await officer.get_by_label("Tìm đơn vị").fill("Bình Dương")
    await officer.locator(".unit-list label:visible").first.get_by_role("checkbox").check()
    await officer.get_by_role("button", name="Xem trước").click()
    await officer.get_by_role("button", name="Gửi", exact=True).click()
    # Trần Thị Bình and Võ Văn Cường have the web chat; nobody else in Xã Bình Dương
    status = officer.locator("h1 [data-k=status_label]")
    await expect(status).to_have_text("Hoàn tất", timeout=WAIT_MS)
    await expect(officer.locator("table.recipients tbody tr")).to_have_count(2)
    await expect(officer.locator("table.recipients")).to_contain_text("Đã nhận")
    await officer.screenshot(path=str(DOCS / "broadcast.png"), full_page=True)

    await officer.goto(world.url + "/admin/broadcasts")
    await officer.get_by_label("Nội dung").fill("Thông báo lịch sinh hoạt chi bộ tháng 12.")
    await officer.get_by_role("button", name="Xem trước").click()
    await officer.get_by_role("button", name="Gửi", exact=True).click()
    total = len(world.codes)  # every roster member; two of them can be reached (web chat)
    await expect(status).to_have_text(f"Đã gửi xong: 2/{total} tin đến nơi", timeout=WAIT_MS)
    await officer.get_by_role("link", name="Chưa nhận được").click()
    rows = officer.locator("table.recipients tbody tr")
    await expect(rows).to_have_count(total - 2)
    await expect(rows.first).to_contain_text("Chưa kết nối")


async def test_assignment_page_lives_and_is_edited_extended_reminded_closed(world: World, officer) -> None:
    from datetime import timedelta

    from bot.core import clock
    from bot.core.evidence import assignments, ledger

    [assignment] = assignments.list_assignments(world.app)  # the conference's own assignment
    await officer.goto(f"{world.url}/admin/assignments/{assignment.id}")
    percent = officer.locator("[data-live=percent]")
    await expect(percent).to_have_text("50\u00a0%")  # two of four checked in at the conference
    dung = world.app.db.execute("SELECT id FROM people WHERE phone = '0905000006'").fetchone()[0]
    ledger.acknowledge(world.app, dung, assignment.id, "zalo")
    await expect(percent).to_have_text("75\u00a0%", timeout=WAIT_MS)  # without a reload
    await expect(officer.locator("#live")).to_be_visible()

    await officer.get_by_text("Sửa, gia hạn hoặc kết thúc đợt này").click()
    later = clock.local_today(world.app.now()) + timedelta(days=10)
    await officer.get_by_label("Hạn quán triệt").fill(later.isoformat())
    await officer.get_by_role("button", name="Lưu thay đổi").click()
    await expect(officer.get_by_role("status")).to_have_text(f"Đã lưu: hạn {later:%d/%m/%Y}.")
    assert assignments.require_assignment(world.app, assignment.id).due_date == later

    await officer.get_by_role("button", name=re.compile("Nhắc người chưa xác nhận ở Huyện ủy Thăng Bình")).click()
    await expect(officer.locator("table.recipients tbody tr")).to_have_count(1)
    await expect(officer.locator("table.recipients")).to_contain_text("Nguyễn Văn An")
    await expect(officer.locator("h1 [data-k=status_label]")).to_have_text(
        "Đã gửi xong: 0/1 tin đến nơi", timeout=WAIT_MS
    )

    await officer.goto(f"{world.url}/admin/assignments/{assignment.id}")
    await officer.get_by_text("Sửa, gia hạn hoặc kết thúc đợt này").click()
    await officer.get_by_role("button", name="Kết thúc đợt quán triệt").click()
    await expect(officer.get_by_role("status")).to_have_text("Đã kết thúc đợt quán triệt.")
    await expect(officer.locator("h1")).to_contain_text("Đã kết thúc")
    assert assignments.pending_for(world.app, dung) == []


async def test_approvals_of_self_registrations_and_the_ledger_check(world: World, officer) -> None:
    from bot.core.evidence import ledger

    unit = roster.resolve_unit(world.app, "Tỉnh ủy Quảng Nam > Huyện ủy Duy Xuyên").id
    roster.self_register(world.app, "zalo", "z-moi-1", "Lê Văn Mới", unit, "Lê Văn Mới")
    roster.self_register(world.app, "zalo", "z-moi-2", "Phạm Thị Lạ", unit, "Phạm Thị Lạ")
    await officer.goto(world.url + "/admin/approvals")
    await expect(officer.locator("tbody tr")).to_have_count(2)
    await officer.get_by_role("button", name="Duyệt Lê Văn Mới").click()
    await expect(officer.get_by_role("status")).to_have_text("Đã duyệt đăng ký của Lê Văn Mới.")
    await officer.get_by_role("button", name="Từ chối Phạm Thị Lạ").click()
    await expect(officer.get_by_role("status")).to_have_text("Đã từ chối đăng ký của Phạm Thị Lạ.")
    await expect(officer.locator(".empty")).to_have_text("Không có yêu cầu nào đang chờ.")
    statuses = dict(
        world.app.db.execute(
            "SELECT full_name, status FROM people WHERE full_name IN (?, ?)", ("Lê Văn Mới", "Phạm Thị Lạ")
        ).fetchall()
    )
    assert statuses == {"Lê Văn Mới": "active", "Phạm Thị Lạ": "inactive"}
    notices = world.app.db.execute(
        "SELECT COUNT(*) FROM broadcasts WHERE kind = 'notice' AND text LIKE '%duyệt%'"
    ).fetchone()[0]
    assert notices >= 1

    await officer.goto(world.url + "/admin/ledger")
    await expect(officer.get_by_role("status")).to_contain_text("Sổ nguyên vẹn: đã kiểm tra 3 dòng")
    await expect(officer.locator("#head-hash")).to_have_text(ledger.head_hash(world.app))


async def test_audit_in_words_and_every_page_fits_a_390_px_phone(world: World, officer, chromium_browser) -> None:  # noqa: F811
    await officer.goto(world.url + "/admin/audit")
    table = officer.locator("table")
    await expect(table).to_contain_text("Tổ chức hội nghị quán triệt")
    await expect(table).to_contain_text("gồm đơn vị trực thuộc: có")
    await expect(table).not_to_contain_text("conference.create")

    cookies = await officer.context.cookies()
    context = await chromium_browser.new_context(**PHONE)
    await context.add_cookies(cookies)
    phone = await context.new_page()
    pages = [
        "/admin",
        "/admin/broadcasts",
        "/admin/broadcasts/1",
        "/admin/assignments/new",
        "/admin/conferences",
        "/admin/conferences/1",
        "/admin/assignments/1",
        "/admin/approvals",
        "/admin/invites?unit=1",
        "/admin/ledger",
        "/admin/audit",
    ]
    for path in pages:
        await phone.goto(world.url + path)
        width = await phone.evaluate("document.documentElement.scrollWidth")
        assert width <= 390, (path, width)
        await expect(phone.get_by_role("link", name="Nhật ký")).to_be_visible()  # the last menu item
    await phone.screenshot(path=str(DOCS / "admin-phone.png"))
    await context.close()


async def test_curated_answer_reaches_the_asker_and_is_reused(world: World, officer, cadre) -> None:
    from bot.core.answers.answers import Answer, record_question

    question = "Kinh phí tổ chức hội nghị quán triệt lấy từ nguồn nào?"
    binh = world.app.db.execute("SELECT id FROM people WHERE phone = ?", (CADRE_PHONE,)).fetchone()[0]
    declined = Answer(question, "Xin lỗi, văn bản không nói đến điều này.", confident=False, status="refusal")
    question_id = record_question(world.app, declined, "web", binh)  # as the bot logged it

    await officer.goto(world.url + "/admin/questions?loc=chua")
    answer = "Kinh phí do ngân sách cấp ủy mỗi cấp bảo đảm theo dự toán năm."
    await officer.get_by_label("Trả lời thay trợ lý").fill(answer)
    await officer.get_by_role("button", name=f"Gửi trả lời câu hỏi {question_id}").click()
    await expect(officer.get_by_role("status")).to_have_text("Đã gửi câu trả lời cho người hỏi.")
    await expect(officer.locator("table")).to_contain_text(f"Ban Tuyên giáo trả lời {answer}")

    await cadre.goto(world.url + "/")  # the asker's open chat receives it
    messages = cadre.locator(".msg.out")
    await expect(messages.last).to_contain_text("Ban Tuyên giáo trả lời câu hỏi của đồng chí", timeout=WAIT_MS)
    await cadre.get_by_label("Tin nhắn").fill("kinh phi to chuc hoi nghi quan triet lay tu nguon nao")
    await cadre.get_by_label("Tin nhắn").press("Enter")
    await expect(messages.last).to_have_text(
        re.compile(r"^Ban Tuyên giáo trả lời:\s*" + re.escape(answer)), timeout=WAIT_MS
    )


async def test_people_browse_edit_and_deactivate(world: World, officer) -> None:
    await officer.goto(world.url + "/admin/people")
    await officer.get_by_label("Xem theo đơn vị").select_option(label="Tỉnh ủy Quảng Nam > Huyện ủy Duy Xuyên")
    await officer.get_by_role("button", name="Xem").click()
    await officer.get_by_role("link", name="Ngô Thị Phương").click()
    await officer.get_by_label("Số điện thoại").fill("0905000004")  # Trần Thị Bình's
    await officer.get_by_role("button", name="Lưu").click()
    await expect(officer.get_by_role("alert")).to_have_text("Số điện thoại 0905000004 đã là của Trần Thị Bình.")
    await officer.get_by_label("Số điện thoại").fill("+84 905 000 099")
    await officer.get_by_label("Chức vụ").fill("Phó Trưởng ban Tuyên giáo")
    await officer.get_by_role("button", name="Lưu").click()
    await expect(officer.get_by_role("status")).to_have_text("Đã lưu thông tin.")
    await expect(officer.get_by_label("Số điện thoại")).to_have_value("0905000099")

    await officer.get_by_role("button", name="Ngừng hoạt động").click()
    await expect(officer.locator("h1")).to_contain_text("ngừng hoạt động")
    phuong = world.app.db.execute("SELECT id, status FROM people WHERE full_name = 'Ngô Thị Phương'").fetchone()
    assert phuong[1] == "inactive"
    assert phuong[0] not in roster.audience_people(world.app)
    await officer.get_by_role("button", name="Cho hoạt động lại").click()
    await expect(officer.locator("h1")).to_contain_text("đang hoạt động")


async def test_document_upload_shows_progress_until_indexed(world: World, officer, tmp_path) -> None:
    source = REPO / "tests" / "fixtures" / "knowledge" / "ket-luan-901-thu-vien-so.txt"
    upload = tmp_path / "ket-luan-901.txt"
    upload.write_bytes(source.read_bytes())
    await officer.goto(world.url + "/admin/documents")
    await officer.get_by_label(re.compile("Tệp văn bản")).set_input_files(str(upload))
    await officer.get_by_role("button", name="Tải lên và nạp").click()
    await expect(officer.get_by_role("heading", name="Nạp văn bản «ket-luan-901.txt»")).to_be_visible()
    bar = officer.get_by_label("Tiến độ nạp văn bản")
    await expect(officer.locator("[data-live=label]")).to_have_text("Đã xong", timeout=120_000)
    assert await bar.evaluate("bar => bar.value") == 100
    await expect(officer.locator("[data-live=message]")).to_contain_text("Văn bản mới: 1")
    await officer.get_by_role("link", name="Xem danh sách văn bản").click()
    await expect(officer.locator(".document")).to_have_count(2)
    (chunks,) = world.app.db.execute(
        "SELECT COUNT(*) FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.path LIKE '%ket-luan-901.txt'"
    ).fetchone()
    assert chunks > 0


async def test_a_signed_paper_sheet_is_imported_on_the_conference_page(world: World, officer, tmp_path) -> None:
    from tests.ledger_support import write_csv

    sheet = write_csv(
        tmp_path / "ky-ten.csv",
        [["Nguyễn Văn An", "Huyện ủy Thăng Bình", "0905000003"]],
        header=["Họ và tên", "Đơn vị", "Số điện thoại"],
    )
    await officer.goto(world.url + "/admin/conferences/1")
    await officer.get_by_label(re.compile("Bảng tính")).set_input_files(str(sheet))
    await officer.get_by_role("button", name="Nhập danh sách ký tên").click()
    await expect(officer.get_by_role("status")).to_contain_text("ghi nhận 1 người")
    await expect(officer.locator("[data-live=paper]")).to_have_text("1")
    (channel, source) = world.app.db.execute(
        "SELECT k.channel, k.source_hash FROM acks k JOIN people p ON p.id = k.person_id WHERE p.phone = '0905000003'"
    ).fetchone()
    assert channel == "hội nghị" and source


async def test_officer_assigns_a_document_on_the_web(world: World, officer) -> None:
    from bot.core.evidence import assignments, documents
    from bot.core.roster import audit

    before = {a.id for a in assignments.list_assignments(world.app)}
    await officer.goto(world.url + "/admin")
    await officer.get_by_role("link", name="Giao văn bản cần quán triệt").click()
    await expect(officer.get_by_role("heading", name="Giao văn bản cần quán triệt")).to_be_visible()
    for link in await officer.locator(".nav a").all():  # the whole menu in sight on a desktop, none hidden
        await expect(link).to_be_in_viewport()
    await expect(officer.locator("[data-picked]")).to_have_text("Chưa chọn đơn vị nào: giao cho tất cả cán bộ.")
    main = documents.main_document(world.app)
    assert main is not None  # chosen already: the catalogue's main document
    await expect(officer.get_by_label("Văn bản cần quán triệt")).to_have_value(str(main.id))
    (kl69,) = world.app.db.execute("SELECT id FROM documents WHERE number = '69-KL/TW'").fetchone()
    await officer.get_by_label("Văn bản cần quán triệt").select_option(str(kl69))
    await officer.get_by_label("Tìm đơn vị").fill("duy xuyen")  # typed without diacritics, then ticked by touch
    await officer.locator(".unit-list label:visible").first.get_by_role("checkbox").check()
    await expect(officer.locator("[data-picked]")).to_have_text("Đã chọn 1 đơn vị.")
    await officer.get_by_label(re.compile("Lời nhắn kèm")).fill("Đề nghị các đồng chí nghiên cứu kỹ phần nhiệm vụ.")
    # a form the browser would not send (no due date) still gets a clear answer from the server
    await officer.locator("input[name=due]").evaluate("field => field.removeAttribute('required')")
    await officer.get_by_role("button", name="Xem trước").click()
    await expect(officer.get_by_role("alert")).to_have_text("Hãy chọn hạn quán triệt.")
    await expect(officer.get_by_role("checkbox", name="Huyện ủy Duy Xuyên")).to_be_checked()  # kept for the retry

    due = await officer.locator("input[name=due]").get_attribute("min")
    await officer.locator("input[name=due]").fill(due or "")
    await officer.get_by_role("button", name="Xem trước").click()
    await expect(officer.get_by_role("heading", name="Xác nhận gửi")).to_be_visible()
    duy_xuyen = roster.resolve_unit(world.app, "Huyện ủy Duy Xuyên").id
    audience = roster.audience_people(world.app, [duy_xuyen], True, None)
    await expect(officer.get_by_text(re.compile(f"Sẽ gửi tới {len(audience)} người"))).to_be_visible()
    assert {a.id for a in assignments.list_assignments(world.app)} == before  # nothing is created before "Gửi"
    await officer.get_by_role("button", name="Gửi").click()
    await officer.get_by_role("link", name=re.compile("Xem tiến độ đợt")).click()

    [created] = [a for a in assignments.list_assignments(world.app) if a.id not in before]
    assert created.document.number == "69-KL/TW" and created.due_date.isoformat() == due
    assert sorted(assignments.member_ids(world.app, created.id)) == sorted(audience)
    await expect(officer.locator("[data-live=assigned]")).to_have_text(str(len(audience)))
    entry = audit.recent(world.app, action="assign")[0]  # the newest: this creation
    assert entry.allowed and entry.person_id is not None
    assert entry.detail["document_id"] == kl69 and entry.detail["units"] == [duy_xuyen]
    (text,) = world.app.db.execute(
        "SELECT text FROM broadcasts WHERE assignment_id = ? AND kind = 'assignment'", (created.id,)
    ).fetchone()
    assert text == "Đề nghị các đồng chí nghiên cứu kỹ phần nhiệm vụ."

    await officer.goto(world.url + "/admin/audit")  # the creation in words, dates as Vietnamese write them
    table = officer.locator("table")
    await expect(table).to_contain_text(f"hạn: {created.due_date:%d/%m/%Y}")
    await expect(table).to_contain_text("đợt gửi số")
    for raw in ("broadcast_id", "kind:", f"hạn: {due}"):
        await expect(table).not_to_contain_text(raw)


async def test_check_in_page_web_login_comes_back(world: World, chromium_browser) -> None:  # noqa: F811
    """Zalo has no link that opens the bot with a command, so the page gives the words to type there
    and, for the web chat, a login that returns to the check-in."""
    from bot.core.evidence import conferences

    conference = conferences.list_conferences(world.app)[0]
    code, _ = conferences.current_code(world.app, conference)
    context = await chromium_browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(f"{world.url}/diemdanh/{code}")
    await expect(page.locator("main")).to_contain_text(f"rồi nhắn diemdanh {code}.")
    assert "zalo.me" not in await page.content()
    await page.get_by_role("link", name="Đăng nhập trò chuyện trên web").click()
    await page.get_by_label("Mã mời").fill(world.codes["0905000007"])  # Đặng Văn Em
    await page.get_by_role("button", name="Bắt đầu trò chuyện").click()
    await expect(page).to_have_url(f"{world.url}/diemdanh/{code}")
    await expect(page.locator("main")).to_contain_text("Đồng chí Đặng Văn Em")
    await expect(page.get_by_role("button", name="Điểm danh")).to_be_visible()  # one press from here
    await context.close()

    # only the check-in page is a way back: the login cannot be made to send anyone elsewhere
    context = await chromium_browser.new_context(**PHONE)
    page = await context.new_page()
    await page.goto(f"{world.url}/?next=https://example.org/")
    await page.get_by_label("Mã mời").fill(world.codes["0905000003"])
    await page.get_by_role("button", name="Bắt đầu trò chuyện").click()
    await expect(page).to_have_url(f"{world.url}/")
    await context.close()
