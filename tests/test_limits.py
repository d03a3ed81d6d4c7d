"""Many people at once and people guessing: answers off the event loop, the per-person flood
limit, growing waits for wrong passwords and invite codes, and X-Forwarded-For only from a
trusted proxy. Real SQLite, the real web routes on 127.0.0.1, the real conversation core."""

from __future__ import annotations

import asyncio
import threading

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot import serve
from bot.channels import web as web_channel
from bot.channels.web.security import client_address
from bot.channels.web_settings import ADMIN_PASSWORD_ENV, ADMIN_PHONE_ENV, WebSettings
from bot.core.answers import question_log
from bot.core.chat import texts
from bot.core.chat.conversation import Conversation
from bot.core.chat.messages import Request
from bot.core.chat.workers import WorkerSettings
from bot.core.outbox import broadcasts
from bot.core.roster import roster
from bot.core.roster.attempts import Attempts, AttemptSettings
from tests.chat_support import CADRE, Chat, build_world
from tests.ledger_support import load_province
from tests.test_web_requests import PASSWORD, admin_login, chat_login, page_csrf, web_client  # noqa: F401 (a fixture)

# -- growing waits ------------------------------------------------------------------------------


def test_waits_grow_after_the_free_failures_and_are_capped():
    now = [0.0]
    attempts = Attempts(AttemptSettings(free_failures=2, first_delay_seconds=1, max_delay_minutes=1), lambda: now[0])
    attempts.failed("a")
    attempts.failed("a")
    assert attempts.wait("a") == 1 and attempts.wait("b") == 0
    waits = []
    for _ in range(8):
        now[0] += attempts.wait("a")
        attempts.failed("a")
        waits.append(attempts.wait("a"))
    assert waits == [2, 4, 8, 16, 32, 60, 60, 60]
    attempts.succeeded("a")
    assert attempts.wait("a") == 0


def test_failures_are_forgotten_after_a_while():
    now = [0.0]
    attempts = Attempts(AttemptSettings(free_failures=1, forget_minutes=10), lambda: now[0])
    attempts.failed("a")
    assert attempts.wait("a") > 0
    now[0] += 601
    assert attempts.wait("a") == 0


def test_forwarded_for_is_believed_only_from_a_trusted_proxy():
    proxies = WebSettings(trusted_proxies=["127.0.0.1", "10.0.0.0/8"]).proxy_networks
    assert client_address("203.0.113.9", ["1.2.3.4"], proxies) == "203.0.113.9"  # not a proxy: ignored
    assert client_address("127.0.0.1", ["198.51.100.7"], proxies) == "198.51.100.7"
    # the client wrote a fake first hop; the trusted proxies appended the real one
    assert client_address("127.0.0.1", ["6.6.6.6, 198.51.100.7", "10.1.2.3"], proxies) == "198.51.100.7"
    assert client_address("127.0.0.1", [], proxies) == "127.0.0.1"
    assert client_address("127.0.0.1", ["198.51.100.7"], ()) == "127.0.0.1"  # no proxies configured


# -- over HTTP ----------------------------------------------------------------------------------


@pytest.fixture
async def proxied(web_client):  # noqa: F811 (the fixture imported above)
    """The web routes behind a trusted reverse proxy on 127.0.0.1 (X-Forwarded-For believed)."""
    web_client.state.settings.trusted_proxies = ["127.0.0.1"]
    web_client.state.app.attempts.settings.first_delay_seconds = 600  # no timing in the tests
    return web_client


async def password(client: TestClient, guess: str, address: str) -> int:
    csrf = await page_csrf(client, "/admin/login")
    response = await client.post(
        "/admin/login",
        data={"csrf": csrf, "password": guess},
        headers={"X-Forwarded-For": address},
        allow_redirects=False,
    )
    return response.status


async def test_a_guesser_cannot_lock_the_admin_out_of_their_own_browser(proxied):
    admin = proxied
    assert await password(admin, PASSWORD, "198.51.100.1") == 303  # the admin's browser is now known
    guesser = TestClient(TestServer(admin.server.app, host="127.0.0.1"))
    await guesser.start_server()
    try:
        free = admin.state.app.attempts.settings.free_failures
        for _ in range(free):
            assert await password(guesser, "sai", "203.0.113.66") == 401
        assert await password(guesser, "sai", "203.0.113.66") == 429  # now it must wait
        # a stranger's browser with the right password waits too (the admin account is being guessed)
        stranger = TestClient(TestServer(admin.server.app, host="127.0.0.1"))
        await stranger.start_server()
        try:
            assert await password(stranger, PASSWORD, "198.51.100.2") == 429
        finally:
            await stranger.close()
        # the real admin's own browser gets in at once, whoever shares its address
        assert await password(admin, PASSWORD, "203.0.113.66") == 303
    finally:
        await guesser.close()


async def test_invite_guessing_waits_per_client_address(proxied):
    client = proxied
    csrf = await page_csrf(client, "/")
    free = client.state.app.attempts.settings.free_failures
    for _ in range(free):
        response = await client.post(
            "/login", data={"csrf": csrf, "code": "SAIMA123"}, headers={"X-Forwarded-For": "203.0.113.66"}
        )
        assert response.status == 400
    code = next(i.code for i in roster.invites(client.state.app) if i.person.phone == "0905000004")
    response = await client.post(
        "/login", data={"csrf": csrf, "code": code}, headers={"X-Forwarded-For": "203.0.113.66"}
    )
    assert response.status == 429 and "thử lại sau" in await response.text()
    # a new cadre behind the same proxy, at another address, is not held up
    response = await client.post(
        "/login", data={"csrf": csrf, "code": code}, headers={"X-Forwarded-For": "198.51.100.5"}
    )
    assert response.status == 200 and response.url.path == "/"


# -- the core -----------------------------------------------------------------------------------


@pytest.fixture
def world(app, tmp_path):
    build_world(app, tmp_path)
    return app


async def test_invite_guessing_on_telegram_and_zalo_must_wait(world):
    app = world
    app.attempts.settings.first_delay_seconds = 600  # no timing in the test
    conversation = Conversation(app)
    code = next(i.code for i in roster.invites(app) if i.person.phone == CADRE)
    for channel in ("telegram", "zalo"):
        guesser = Chat(conversation, "666", channel)
        for n in range(app.attempts.settings.free_failures):
            assert "không đúng" in await guesser.text(f"/start SAI{n}MA12")
        assert "thử lại sau" in await guesser.text(f"/start {code}")  # even a right code waits now
        assert roster.person_for(app, channel, "666") is None
    assert "Đã liên kết" in await Chat(conversation, "777", "zalo").text(code)  # others are not held up


async def test_answers_run_off_the_event_loop_and_floods_are_asked_to_wait(world):
    app = world
    conversation = Conversation(app, workers=WorkerSettings(workers=2, per_person=2))
    loop_thread = threading.get_ident()
    threads: list[int] = []
    real = conversation._handle

    def spy(request, on_queued, *rest):
        threads.append(threading.get_ident())
        return real(request, on_queued, *rest)

    conversation._handle = spy  # type: ignore[method-assign]
    flood = [Request("telegram", "555", text=f"câu hỏi {n}") for n in range(5)]
    others = [Request("telegram", str(900 + n), text="/help") for n in range(6)]
    results = await asyncio.gather(*(conversation.handle(r) for r in flood + others))
    busy = [replies[0].text == texts.BUSY for replies in results]
    assert busy[:5] == [False, False, True, True, True]  # two waiting at most; the rest told to wait
    assert not any(busy[5:])  # everyone else is answered
    assert len(threads) == 2 + 6 and loop_thread not in threads


async def test_a_question_in_the_workers_does_not_hold_up_other_requests(proxied):
    client = proxied
    code = next(i.code for i in roster.invites(client.state.app) if i.person.phone == "0905000004")
    csrf = await chat_login(client, code)
    conversation = client.state.conversation
    release = threading.Event()
    real = conversation._handle

    def slow(request, on_queued, *rest):  # the question stays in a worker until released
        release.wait(60)
        return real(request, on_queued, *rest)

    conversation._handle = slow  # type: ignore[method-assign]
    try:
        sending = asyncio.create_task(
            client.post("/api/send", json={"text": "Hạn chót là khi nào?"}, headers={"X-CSRF-Token": csrf})
        )
        while not conversation.workers._waiting:  # bounded by the test timeout: the send is on its way
            await asyncio.sleep(0.01)
        response = await client.get("/api/messages")  # the loop is free meanwhile
        assert response.status == 200 and not sending.done()
    finally:
        release.set()
    assert (await sending).status == 200


async def test_a_slow_admin_page_does_not_hold_up_health_or_the_chat(app, tmp_path, monkeypatch):
    """The page's database work runs in a page thread: the loop answers meanwhile."""
    monkeypatch.setenv(ADMIN_PASSWORD_ENV, PASSWORD)
    monkeypatch.delenv(ADMIN_PHONE_ENV, raising=False)
    load_province(app, tmp_path)
    service = serve.build(app, (web_channel,), host="127.0.0.1", port=0)
    async with TestClient(TestServer(service.web, host="127.0.0.1")) as client:
        await admin_login(client)
        entered, release = threading.Event(), threading.Event()
        real = question_log.recent_questions

        def slow(*args, **kwargs):  # the question log stays in its page thread until released
            entered.set()
            release.wait(60)
            return real(*args, **kwargs)

        monkeypatch.setattr(question_log, "recent_questions", slow)
        try:
            page = asyncio.create_task(client.get("/admin/questions"))
            while not entered.is_set():  # bounded by the test timeout: the request is on its way
                await asyncio.sleep(0.01)
            health = await client.get("/health")
            assert health.status == 200 and (await health.json())["ok"]
            assert (await client.get("/admin/documents")).status == 200  # another page meanwhile
            assert not page.done()
        finally:
            release.set()
        assert (await page).status == 200


async def test_the_outbox_reads_and_writes_off_the_event_loop(app, monkeypatch):
    """A slow outbox query (the progress of broadcasts) holds only the outbox's own thread."""
    service = serve.build(app, (web_channel,), host="127.0.0.1", port=0)
    service.sender.settings.progress_seconds = 0.01
    entered, release = threading.Event(), threading.Event()
    loop_thread = threading.get_ident()
    threads: list[int] = []
    real = broadcasts.in_progress

    def slow(*args, **kwargs):
        threads.append(threading.get_ident())
        entered.set()
        release.wait(60)
        return real(*args, **kwargs)

    monkeypatch.setattr(broadcasts, "in_progress", slow)
    async with TestClient(TestServer(service.web, host="127.0.0.1")) as client:
        try:
            while not entered.is_set():  # bounded by the test timeout: the sender has started
                await asyncio.sleep(0.01)
            assert (await client.get("/health")).status == 200
        finally:
            release.set()
    assert threads and loop_thread not in threads
