"""The web chat and the admin pages in real headless Chromium, against a live `quantriet serve`.

One story on the test catalogue (tests/fixtures/knowledge, searched with the bundled model): a cadre
logs in with an invite code on a phone-sized screen, asks when Kết luận 901 must be studied and
gets the quoted answer with its source, opens the section in full, and acknowledges the assigned
document after the comprehension check; the administrator's dashboard shows the completion go up;
the administrator sends a broadcast and watches the delivery counts arrive live while the cadre's
open chat receives it; the evidence export is downloaded and read back with openpyxl.

The tests run in file order and share the server, the two browser contexts and the database.
Screenshots of the chat (phone) and the dashboard (desktop) are written to docs/ for the README.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
import pytest_asyncio
from openpyxl import load_workbook
from playwright.async_api import expect

from bot.app import App
from bot.channels.web.base import STATE
from bot.channels.web_settings import ADMIN_PASSWORD_ENV, ADMIN_PHONE_ENV
from bot.config import Config
from bot.core.evidence import assignments, checks, ledger
from bot.core.evidence.documents import Document
from bot.core.roster import roster
from tests.browser import BROWSER_TESTS, chromium_browser, live_server  # noqa: F401  (the session-wide browser)
from tests.conftest import REPO
from tests.ledger_support import PROVINCE, load_province, write_csv

pytestmark = [*BROWSER_TESTS, pytest.mark.slow]

PASSWORD = "thu-nghiem-web"
CADRE_PHONE = "0905000004"  # Trần Thị Bình, Xã Bình Dương
PHONE = {
    "viewport": {"width": 375, "height": 740},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
    "timezone_id": "Asia/Ho_Chi_Minh",
}
DESKTOP = {
    "viewport": {"width": 1280, "height": 900},
    "locale": "vi-VN",
    "timezone_id": "Asia/Ho_Chi_Minh",
    "accept_downloads": True,
}
DOCS = REPO / "docs"
WAIT_MS = 30_000  # an answer embeds the question on a busy 2-core machine: allow for it
BOT_MESSAGES = ".msg.out[data-id]:not(.error)"
BROADCAST_TEXT = "Đề nghị các đồng chí hoàn thành việc quán triệt trước hạn và phản hồi khi có vướng mắc."

# More units and people, so the dashboard's chart looks like a province: (unit, people, confirmed).
EXTRA_UNITS = [
    ("Thị ủy Điện Bàn", 9, 7),
    ("Huyện ủy Núi Thành", 7, 3),
    ("Đảng ủy Sở Khoa học và Công nghệ", 6, 6),
    ("Huyện ủy Đại Lộc", 8, 2),
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Võ", "Phan", "Huỳnh", "Đặng"]
GIVEN = ["Văn Hải", "Thị Hoa", "Minh Tuấn", "Thị Lan", "Quốc Bảo", "Thị Mai", "Đức Long", "Thu Hà", "Anh Khoa"]


@dataclass
class World:
    url: str
    app: App  # the tests' own connection to the server's database
    assignment_id: int
    codes: dict[str, str]  # phone -> invite code
    cadre_id: int


def _province(app: App, folder: Path) -> None:
    """The small province of ledger_support plus EXTRA_UNITS."""
    load_province(app, folder)
    rows, n = [], 0
    for unit, count, _ in EXTRA_UNITS:
        for i in range(count):
            name = f"{FAMILY[(n + i) % len(FAMILY)]} {GIVEN[(n * 2 + i) % len(GIVEN)]}"
            rows.append([name, f"{PROVINCE} > {unit}", "Đảng viên", f"0935{n:06d}", "cán bộ"])
            n += 1
    report = roster.import_roster(app, None, write_csv(folder / "extra.csv", rows))
    assert report.imported, report.errors


def _confirm_some(app: App, assignment_id: int) -> None:
    """Earlier confirmations (through the ledger, as Telegram and Zalo would write them)."""
    channels = ("telegram", "zalo", "hội nghị")
    for unit, _, confirmed in EXTRA_UNITS:
        unit_id = roster.resolve_unit(app, f"{PROVINCE} > {unit}").id
        for i, person in enumerate(roster.list_people(app, unit_id)[:confirmed]):
            ledger.acknowledge(app, person.id, assignment_id, channels[i % 3], check_score="3/3")


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def world(fixture_app: App, tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[World]:
    """A copy of the ingested catalogue, the province, one assignment with a comprehension check,
    and the server running on it with an admin password."""
    data = tmp_path_factory.mktemp("web") / "data"
    shutil.copytree(fixture_app.data_dir, data)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("QUANTRIET_DATA_DIR", str(data))
        env.setenv(ADMIN_PASSWORD_ENV, PASSWORD)
        env.delenv(ADMIN_PHONE_ENV, raising=False)
        config = fixture_app.config.path
        app = App(Config.load(config))
        _province(app, tmp_path_factory.mktemp("roster"))
        documents = sorted(
            (
                Document(*r)
                for r in app.db.execute("SELECT id, title, number, version, issued, issuer FROM documents ORDER BY id")
            ),
            key=lambda d: d.number != "901-KL/TW",
        )
        document = next(d for d in documents if checks.can_check(app, d.id))
        assignment_id = assignments.create_assignment(
            app, None, document.id, date.today() + timedelta(days=20), require_check=True
        )
        _confirm_some(app, assignment_id)
        codes = {i.person.phone: i.code for i in roster.invites(app)}
        cadre_id = app.db.execute("SELECT id FROM people WHERE phone = ?", (CADRE_PHONE,)).fetchone()[0]
        async with live_server(App(Config.load(config))) as (service, url):
            service.web[STATE].settings.poll_seconds = 1
            yield World(url, app, assignment_id, codes, cadre_id)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def cadre(world: World, chromium_browser):  # noqa: F811
    """A phone-sized browser for the cadre (not logged in yet)."""
    context = await chromium_browser.new_context(**PHONE)
    yield await context.new_page()
    await context.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def admin(world: World, chromium_browser):  # noqa: F811
    """A desktop browser logged in with the admin password (after one wrong try)."""
    context = await chromium_browser.new_context(**DESKTOP)
    page = await context.new_page()
    await page.goto(world.url + "/admin")
    await expect(page).to_have_url(re.compile(r"/admin/login$"))
    await page.get_by_label("Mật khẩu quản trị").fill("sai mật khẩu")
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("alert")).to_have_text("Mật khẩu không đúng.")
    await page.get_by_label("Mật khẩu quản trị").fill(PASSWORD)
    await page.get_by_role("button", name="Đăng nhập").click()
    await expect(page.get_by_role("heading", name="Tổng quan quán triệt")).to_be_visible()
    yield page
    await context.close()


def bot_messages(page):
    return page.locator(BOT_MESSAGES)


async def send(page, text: str) -> None:
    """Type a message and wait for the bot's reply to arrive."""
    before = await bot_messages(page).count()
    await page.get_by_label("Tin nhắn").fill(text)
    await page.get_by_label("Tin nhắn").press("Enter")
    await wait_for_more(page, before)


async def press(page, message, label: str) -> None:
    before = await bot_messages(page).count()
    await message.get_by_role("button", name=label, exact=True).click()
    await wait_for_more(page, before)


async def wait_for_more(page, before: int) -> None:
    await page.wait_for_function(
        "([selector, n]) => document.querySelectorAll(selector).length > n && !document.getElementById('typing')",
        arg=[BOT_MESSAGES, before],
        timeout=WAIT_MS,
    )


async def test_cadre_logs_in_and_gets_a_cited_answer(world: World, cadre) -> None:
    await cadre.goto(world.url + "/")
    await expect(cadre.get_by_role("heading", name="Chào đồng chí!")).to_be_visible()
    await cadre.get_by_label("Mã mời").fill("SAIMAMOI")
    await cadre.get_by_role("button", name="Bắt đầu trò chuyện").click()
    await expect(cadre.get_by_role("alert")).to_contain_text("không đúng")
    await cadre.get_by_label("Mã mời").fill(world.codes[CADRE_PHONE].lower())  # codes are case-insensitive
    await cadre.get_by_role("button", name="Bắt đầu trò chuyện").click()
    await expect(bot_messages(cadre).first).to_contain_text("Chào đồng chí Trần Thị Bình")
    await expect(cadre.locator(".chat-header")).to_contain_text("Trợ lý quán triệt")

    await send(cadre, "Thời hạn quán triệt Kết luận 901 là khi nào?")
    answer = bot_messages(cadre).last
    await expect(answer).to_contain_text("trước ngày 15/5/2030")
    await expect(answer.locator(".quote")).to_be_visible()  # the passage quoted from the text
    await expect(answer.get_by_role("button", name="Xem toàn văn mục")).to_be_visible()
    DOCS.mkdir(exist_ok=True)
    await cadre.screenshot(path=str(DOCS / "chat.png"))

    await press(cadre, answer, "Xem toàn văn mục")
    await expect(bot_messages(cadre).last).to_contain_text("15/5/2030")
    (logged,) = world.app.db.execute(
        "SELECT COUNT(*) FROM questions WHERE channel = 'web' AND person_id = ?", (world.cadre_id,)
    ).fetchone()
    assert logged == 1


def _right_option(world: World) -> str:
    questions, answers = world.app.db.execute(
        "SELECT questions, answers FROM check_attempts WHERE person_id = ? AND assignment_id = ? "
        "AND finished_at IS NULL ORDER BY id DESC LIMIT 1",
        (world.cadre_id, world.assignment_id),
    ).fetchone()
    question = json.loads(questions)[len(json.loads(answers))]
    return question["options"][question["answer"]]


def _number(percent: str) -> float:
    """33.3 from the Vietnamese "33,3 %"."""
    return float(percent.rstrip("%\u00a0 ").replace(".", "").replace(",", "."))


async def _dashboard_percent(admin, world: World) -> str:
    await admin.goto(world.url + "/admin")
    return await admin.locator(f"#assignment-{world.assignment_id} [data-testid=percent]").inner_text()


async def test_acknowledging_with_the_check_moves_the_dashboard(world: World, cadre, admin) -> None:
    before = await _dashboard_percent(admin, world)
    await admin.locator(f"#assignment-{world.assignment_id}").click()
    await expect(admin.locator("table")).to_contain_text("Xã Bình Dương")
    await admin.get_by_role("link", name="Chưa xác nhận").first.click()
    await expect(admin.locator("table")).to_contain_text("Trần Thị Bình")

    await cadre.get_by_role("button", name="Việc của tôi").click()
    await expect(bot_messages(cadre).last).to_contain_text("Văn bản cần quán triệt")
    await press(cadre, bot_messages(cadre).last, "Tôi đã đọc và quán triệt")
    for _ in range(5):  # a check has 2-3 questions
        last = bot_messages(cadre).last
        if "Đã ghi nhận" in await last.inner_text():
            break
        await expect(last).to_contain_text(re.compile(r"Câu \d/\d"))
        await press(cadre, last, _right_option(world))
    await expect(bot_messages(cadre).last).to_contain_text("Đã ghi nhận: đồng chí Trần Thị Bình đã quán triệt")

    after = await _dashboard_percent(admin, world)
    assert _number(after) > _number(before)
    await admin.goto(f"{world.url}/admin/assignments/{world.assignment_id}/pending")
    await expect(admin.locator("h1")).to_contain_text("Chưa xác nhận")
    await expect(admin.locator("table")).not_to_contain_text("Trần Thị Bình")
    await admin.goto(f"{world.url}/admin/assignments/{world.assignment_id}")
    await expect(admin.locator("svg.chart")).to_be_visible()
    await admin.screenshot(path=str(DOCS / "dashboard.png"), full_page=True)


async def test_broadcast_counts_update_live_and_reach_the_open_chat(world: World, cadre, admin) -> None:
    await admin.goto(world.url + "/admin/broadcasts")
    await admin.get_by_label("Nội dung").fill(BROADCAST_TEXT)
    await admin.get_by_role("button", name="Xem trước").click()
    await expect(admin.get_by_role("heading", name="Xác nhận gửi")).to_be_visible()
    await admin.get_by_role("button", name="Gửi", exact=True).click()
    await expect(admin.get_by_role("heading", name=re.compile("Tiến độ gửi"))).to_be_visible()
    linked = world.app.db.execute(  # roster members only: not the password admin, who has no unit
        "SELECT COUNT(*) FROM accounts a JOIN people p ON p.id = a.person_id "
        "WHERE p.status = 'active' AND p.unit_id IS NOT NULL"
    ).fetchone()[0]
    # the page polls the JSON endpoint: the counts change without a reload
    await expect(admin.locator("#live")).to_be_visible(timeout=WAIT_MS)
    await expect(admin.locator("#counts [data-k=sent]")).to_have_text(str(linked), timeout=WAIT_MS)
    await expect(admin.locator("#counts [data-k=pending]")).to_have_text("0")
    await expect(bot_messages(cadre).last).to_contain_text(BROADCAST_TEXT, timeout=WAIT_MS)


async def test_export_downloads_and_reads_back(world: World, admin, tmp_path: Path) -> None:
    await admin.goto(world.url + "/admin/exports")
    await admin.get_by_label("Đợt quán triệt").select_option(str(world.assignment_id))
    async with admin.expect_download() as download_info:
        await admin.get_by_role("button", name="Tải báo cáo").click()
    download = await download_info.value
    name = download.suggested_filename
    assert name.startswith("bao-cao-quan-triet-") and name.endswith(".xlsx")
    path = tmp_path / name
    await download.save_as(path)
    book = load_workbook(path, read_only=True)
    mine = [row for row in book["Chi tiết"].iter_rows(values_only=True) if row and row[0] == "Trần Thị Bình"]
    assert mine and "Trang web" in mine[0]
    (exports,) = world.app.db.execute(
        "SELECT COUNT(*) FROM audit WHERE action = 'export' AND channel = 'web' AND allowed = 1"
    ).fetchone()
    assert exports == 1

    # a reversed period is refused with the dates kept, so only the mistake is corrected
    await admin.get_by_label("Xác nhận từ ngày").fill("2024-04-16")
    await admin.get_by_label("đến ngày").fill("2024-04-02")
    await admin.get_by_role("button", name="Tải báo cáo").click()
    await expect(admin.get_by_role("alert")).to_have_text(
        "Khoảng thời gian bị ngược: «Từ ngày» (16/04/2024) sau «Đến ngày» (02/04/2024)."
    )
    await expect(admin.get_by_label("Xác nhận từ ngày")).to_have_value("2024-04-16")
    await expect(admin.get_by_label("Đợt quán triệt")).to_have_value(str(world.assignment_id))


async def test_a_cadre_opening_the_admin_pages_gets_403(world: World, cadre) -> None:
    response = await cadre.goto(world.url + "/admin/exports")
    assert response is not None and response.status == 403
    await expect(cadre.get_by_role("heading", name="Không có quyền truy cập")).to_be_visible()
