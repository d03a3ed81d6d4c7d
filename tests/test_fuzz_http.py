"""Whatever anyone sends over HTTP gets an answer below 500 and never a traceback.

The real ``quantriet serve`` service (web chat, admin pages, the Telegram, Zalo Bot and Zalo OA
webhooks, with their secrets) runs on 127.0.0.1 in a thread; hypothesis throws request bodies at
it: arbitrary bytes, JSON of any shape (lone surrogates, huge numbers, deep nesting, NaN) and
platform-shaped updates with fuzzed fields, with and without the right secrets, and correctly
signed Zalo OA events. The platform APIs point at a closed port, so answers fail quietly in the
background: what is checked is the HTTP answer each request gets.

Also the probe's listed cases, each once, by name.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from http.cookiejar import CookieJar
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import serve
from bot.app import App
from bot.channels import telegram, zalo, zalo_bot
from bot.channels import web as web_channel
from bot.channels import zalo_oa as oa
from bot.channels.web_settings import ADMIN_PASSWORD_ENV
from bot.config import Config
from bot.core.roster import roster
from tests.conftest import REPO
from tests.ledger_support import load_province
from tests.test_web_requests import csrf_of

TELEGRAM_SECRET = "fuzz-secret_123"
ZALO_SECRET = "fuzz-zalo-secret-123"
OA_APP_ID, OA_KEY = "4242", "fuzz-oa-key"
CLOSED = "http://127.0.0.1:9"  # nothing listens there


@dataclass
class Server:
    origin: str
    app: App
    chat_csrf: str
    admin_csrf: str
    chat: urllib.request.OpenerDirector
    admin: urllib.request.OpenerDirector


def _opener() -> urllib.request.OpenerDirector:
    return urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))


def fetch(
    opener: urllib.request.OpenerDirector, url: str, body: bytes | None = None, headers: dict[str, str] | None = None
) -> tuple[int, str]:
    request = urllib.request.Request(
        url, data=body, headers=headers or {}, method="POST" if body is not None else "GET"
    )
    try:
        with opener.open(request, timeout=60) as response:
            return response.status, response.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode("utf-8", "replace")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {
        "QUANTRIET_DATA_DIR": str(tmp_path_factory.mktemp("fuzz") / "data"),
        ADMIN_PASSWORD_ENV: "fuzz-password",
        "TELEGRAM_BOT_TOKEN": "123:fuzz",
        "TELEGRAM_BASE_URL": CLOSED + "/bot",
        "TELEGRAM_WEBHOOK_URL": "https://bot.example.vn/telegram/webhook",
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        zalo_bot.TOKEN_ENV: "fuzz-zalo-token",
        "ZALO_BASE_URL": CLOSED,
        "ZALO_WEBHOOK_URL": "https://bot.example.vn/zalo/webhook",
        zalo_bot.WEBHOOK_SECRET_ENV: ZALO_SECRET,
        oa.APP_ID_ENV: OA_APP_ID,
        oa.SECRET_KEY_ENV: OA_KEY,
        "ZALO_OA_API_BASE": CLOSED,
        "ZALO_OA_OAUTH_URL": CLOSED + "/token",
    }
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        app = App(Config.load(REPO / "config.toml"))
        load_province(app, Path(env["QUANTRIET_DATA_DIR"]).parent)
        service = serve.build(app, channels=(telegram, zalo, web_channel), port=0)
        loop = asyncio.new_event_loop()
        started: dict[str, int] = {}
        stop = asyncio.Event()
        ready = threading.Event()

        async def run() -> None:
            async with serve.running(service, "127.0.0.1", 0) as port:
                started["port"] = port
                ready.set()
                await stop.wait()

        thread = threading.Thread(target=loop.run_until_complete, args=(run(),), daemon=True)
        thread.start()
        assert ready.wait(120), "the server did not start"
        origin = f"http://127.0.0.1:{started['port']}"
        chat, admin = _opener(), _opener()
        code = next(i.code for i in roster.invites(app) if i.person.phone == "0905000004")
        _, page = fetch(chat, origin + "/")
        _, page = fetch(chat, origin + "/login", f"csrf={csrf_of(page)}&code={code}".encode())
        _, page = fetch(admin, origin + "/admin/login")
        _, page = fetch(admin, origin + "/admin/login", f"csrf={csrf_of(page)}&password=fuzz-password".encode())
        yield Server(origin, app, csrf_of(fetch(chat, origin + "/")[1]), csrf_of(page), chat, admin)
        loop.call_soon_threadsafe(stop.set)
        thread.join(60)


def assert_handled(status: int, text: str) -> None:
    assert status < 500, text[:500]
    assert "Traceback" not in text


# -- the probe's cases ----------------------------------------------------------------------------


def test_the_probes_cases_are_4xx(server: Server) -> None:
    o = server.origin
    lone = b'{"text": "\\ud800 c\\u00e2u h\\u1ecfi"}'
    status, text = fetch(server.chat, o + "/api/send", lone, {"X-CSRF-Token": server.chat_csrf})
    assert status == 400, text
    deep = b"[" * 200_000
    status, _ = fetch(server.chat, o + "/api/send", deep, {"X-CSRF-Token": server.chat_csrf})
    assert status == 400
    status, _ = fetch(server.chat, o + "/api/messages?rev=99999999999999999999999")
    assert status == 200
    status, text = fetch(
        server.admin,
        o + "/admin/roster",
        b"--XX\r\ngarbage\r\n\r\nabc\r\n--XX--\r\n",
        {"Content-Type": "multipart/form-data; boundary=XX"},
    )
    assert status == 400, text[:300]
    status, _ = fetch(
        server.chat,
        o + "/zalo/webhook",
        b'{"ok": true, "result": {"event_name": "message.text.received", "message": {"text": "\\udc00"}}}',
        {zalo_bot.SECRET_HEADER: ZALO_SECRET},
    )
    assert status == 400
    nan = signed_oa({"event_name": "user_send_text", "sender": {"id": "1"}}, timestamp="NaN")
    status, _ = fetch(server.chat, o + "/zalo-oa/webhook", *nan)
    assert status == 403


def signed_oa(event: dict, timestamp: str | None = None) -> tuple[bytes, dict[str, str]]:
    """``event`` as Zalo OA would sign it: our app id, a fresh timestamp (unless given)."""
    body = {**event, "app_id": OA_APP_ID, "timestamp": timestamp or str(int(time.time() * 1000))}
    raw = json.dumps(body, ensure_ascii=False)
    mac = hashlib.sha256(f"{OA_APP_ID}{raw}{body['timestamp']}{OA_KEY}".encode()).hexdigest()
    return raw.encode("utf-8", "surrogatepass"), {oa.SIGNATURE_HEADER: f"mac={mac}"}


# -- fuzzing --------------------------------------------------------------------------------------

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**80), max_value=2**80)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(alphabet=st.characters(exclude_categories=()), max_size=30)  # lone surrogates included
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)
words = st.sampled_from(["text", "payload", "label", "ref", "message", "chat", "from", "id", "event_name", "sender"])
shaped = st.dictionaries(words, values, max_size=6)


def encoded(value: object) -> bytes:
    return json.dumps(value, ensure_ascii=False, allow_nan=True).encode("utf-8", "surrogatepass")


def escaped(value: object) -> bytes:
    return json.dumps(value, allow_nan=True).encode()  # surrogates as "\\ud800" escapes


bodies = st.binary(max_size=300) | values.map(encoded) | values.map(escaped) | shaped.map(encoded) | shaped.map(escaped)
FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@FUZZ
@given(body=bodies)
def test_chat_api_send(server: Server, body: bytes) -> None:
    assert_handled(*fetch(server.chat, server.origin + "/api/send", body, {"X-CSRF-Token": server.chat_csrf}))


@FUZZ
@given(rev=st.text(max_size=30))
def test_chat_api_messages(server: Server, rev: str) -> None:
    url = server.origin + "/api/messages?rev=" + urllib.request.quote(rev.encode("utf-8", "surrogatepass"))
    assert_handled(*fetch(server.chat, url))


@FUZZ
@given(
    body=bodies,
    content_type=st.sampled_from(
        [
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=XX",
            "text/plain; charset=x-unknown",
            "multipart/form-data",
        ]
    ),
)
def test_forms(server: Server, body: bytes, content_type: str) -> None:
    for opener, path in ((server.chat, "/login"), (server.admin, "/admin/roster"), (server.admin, "/admin/login")):
        assert_handled(*fetch(opener, server.origin + path, body, {"Content-Type": content_type}))


update_fields = st.fixed_dictionaries(
    {"update_id": st.integers(min_value=-(2**70), max_value=2**70) | values},
    optional={"message": shaped | values, "callback_query": shaped | values},
)


@FUZZ
@given(body=bodies | update_fields.map(encoded), secret=st.sampled_from([TELEGRAM_SECRET, "", "wrong"]))
def test_telegram_webhook(server: Server, body: bytes, secret: str) -> None:
    headers = {telegram.SECRET_HEADER: secret} if secret else {}
    assert_handled(*fetch(server.chat, server.origin + telegram.WEBHOOK_PATH, body, headers))


zalo_updates = st.fixed_dictionaries(
    {"ok": st.booleans() | values, "result": shaped | values | st.fixed_dictionaries({"message": shaped})}
)


@FUZZ
@given(body=bodies | zalo_updates.map(encoded), secret=st.sampled_from([ZALO_SECRET, "wrong"]))
def test_zalo_bot_webhook(server: Server, body: bytes, secret: str) -> None:
    headers = {zalo_bot.SECRET_HEADER: secret}
    assert_handled(*fetch(server.chat, server.origin + "/zalo/webhook", body, headers))


@FUZZ
@given(event=shaped, name=st.sampled_from(["user_send_text", "follow", "unfollow", "user_received_message", "x"]))
def test_zalo_oa_webhook_signed(server: Server, event: dict, name: str) -> None:
    assert_handled(*fetch(server.chat, server.origin + "/zalo-oa/webhook", *signed_oa({**event, "event_name": name})))


@FUZZ
@given(body=bodies)
def test_zalo_oa_webhook_unsigned(server: Server, body: bytes) -> None:
    assert_handled(*fetch(server.chat, server.origin + "/zalo-oa/webhook", body, {oa.SIGNATURE_HEADER: "mac=00"}))
