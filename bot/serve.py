"""``quantriet serve``: one process, one aiohttp server, every configured channel.

:func:`build` assembles a :class:`Service`: the shared :class:`Conversation`, the outbox
:class:`Sender`, the reminder scheduler and a single ``aiohttp.web.Application``. Each channel
module in :data:`CHANNELS` has ``install(service)``, which may

- add routes to ``service.web`` (Telegram's webhook, Zalo's webhooks, the web chat and admin pages),
- register itself as an outbox transport and its start/stop with :meth:`Service.add_channel`,
- start long-running work with :meth:`Service.add_background`,
- leave a line for the start-up banner with :meth:`Service.note`.

Start order: warm the search model, start channels in install order, then the sender and the
reminders; stop order is the reverse, so nothing is sent through a channel that already stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from types import ModuleType

from aiohttp import web

from bot.app import App
from bot.catalogue import knowledge_settings
from bot.channels import telegram, zalo
from bot.channels import web as web_channel
from bot.channels.web_settings import WebSettings, public_base
from bot.core.chat.conversation import Conversation
from bot.core.chat.texts import shorten
from bot.core.evidence.documents import current_documents
from bot.core.outbox.reminders import Reminders
from bot.core.outbox.sender import Sender
from bot.core.outbox.transport import Transport
from bot.ops import backup

log = logging.getLogger(__name__)

# One module per channel, each with ``install(service)``, in start order. Each decides from its
# settings whether it runs (Telegram and Zalo only with their tokens).
CHANNELS: tuple[ModuleType, ...] = (telegram, zalo, web_channel)

Lifecycle = Callable[[web.Application], AsyncIterator[None]]


class Service:
    """Everything ``quantriet serve`` runs; channels plug into it (see the module docstring)."""

    def __init__(self, app: App, host: str = "127.0.0.1", port: int = 8080) -> None:
        self.app = app
        self.host, self.port = host, port  # where the server listens (for banners and links)
        self.sender = Sender(app)
        self.conversation = Conversation(app, on_queued=self.sender.wake)
        self.reminders = Reminders(app, on_queued=self.sender.wake)
        self.web = web.Application()
        self.web.router.add_get("/health", self._health)
        self.notes: list[str] = []
        self.channels: list[str] = []

    def note(self, line: str) -> None:
        """A line for the start-up banner (where to open the chat, which channels run); "{base}"
        becomes the public address once the server listens (see web_settings.public_base)."""
        self.notes.append(line)

    def add_channel(self, transport: Transport, lifecycle: Lifecycle | None = None) -> None:
        """A channel that can receive broadcasts; ``lifecycle`` runs it while the server runs."""
        self.sender.add_transport(transport)
        self.channels.append(transport.channel)
        if lifecycle is not None:
            self.web.cleanup_ctx.append(lifecycle)

    def add_background(self, name: str, work: Callable[[], Awaitable[None]]) -> None:
        """Run ``work()`` while the server runs; it is cancelled at shutdown, and a crash is logged."""

        async def context(_web: web.Application) -> AsyncIterator[None]:
            task = asyncio.create_task(_logged(name, work), name=name)
            yield
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

        self.web.cleanup_ctx.append(context)

    async def _warm(self, _web: web.Application) -> AsyncIterator[None]:
        """Load the search model and index, and run one search, before the first question."""
        try:
            self.app.searcher.search("quán triệt")
        except Exception as exc:  # no index yet: questions will say so; the rest still works
            log.warning("search not ready (run `quantriet ingest`): %s", exc)
            self.note("Chưa có chỉ mục tìm kiếm: hãy chạy `quantriet ingest`.")
        yield

    async def _outbox(self, _web: web.Application) -> AsyncIterator[None]:
        self.sender.start()
        reminders = asyncio.create_task(_logged("reminders", self.reminders.run), name="reminders")
        yield
        reminders.cancel()
        await asyncio.gather(reminders, return_exceptions=True)
        await self.sender.stop()

    async def _health(self, request: web.Request) -> web.Response:
        (pending,) = self.app.db.execute(
            "SELECT COUNT(*) FROM deliveries WHERE status IN ('pending', 'sending')"
        ).fetchone()
        return web.json_response({"ok": True, "channels": self.channels, "outbox_pending": pending})


async def _logged(name: str, work: Callable[[], Awaitable[None]]) -> None:
    try:
        await work()
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("%s stopped with an error", name)


def build(
    app: App,
    channels: Sequence[ModuleType] = CHANNELS,
    host: str | None = None,
    port: int | None = None,
) -> Service:
    """The service with every available channel installed, in the start order described above.
    ``host``/``port`` default to ``[web]`` (QUANTRIET_WEB_HOST / QUANTRIET_WEB_PORT)."""
    settings = WebSettings.load(app.config)
    service = Service(app, host or settings.host, settings.port if port is None else port)
    service.web.cleanup_ctx.append(service._warm)
    for line in catalogue_notes(app):
        service.note(line)
    for channel in channels:
        channel.install(service)
    service.web.cleanup_ctx.append(service._outbox)
    backup.install(service)
    return service


def catalogue_notes(app: App) -> list[str]:
    """Banner lines: the documents cadres can ask about, and how to add the official texts when none
    is there (a fresh clone holds only the sample article, which has no number)."""
    docs = current_documents(app)
    lines = [f"Kho văn bản: {len(docs)} văn bản."] + [f"  {d.reference}: {shorten(d.title, 90)}" for d in docs[:10]]
    if len(docs) > 10:
        lines.append(f"  … và {len(docs) - 10} văn bản khác (`quantriet documents`).")
    if not any(d.number for d in docs):
        folders = ", ".join(knowledge_settings(app.config).folders) or "knowledge/documents"
        lines.append(
            "Chưa có văn bản chính thức nào (có số hiệu). Thêm văn bản: chép tệp .docx/.pdf/.txt/.html vào "
            f"thư mục {folders} (khai báo trong config.toml [knowledge] folders) rồi chạy `quantriet ingest`, "
            "hoặc tải từ trang đăng văn bản: `quantriet ingest https://…`."
        )
    return lines


@contextlib.asynccontextmanager
async def running(service: Service, host: str, port: int) -> AsyncIterator[int]:
    """Serve on host:port (0 = any free port) until the block exits; yields the bound port."""
    runner = web.AppRunner(service.web, access_log=None)
    await runner.setup()
    try:
        site = web.TCPSite(runner, host, port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        service.app.bound_url = f"http://{host}:{bound}"
        yield bound
    finally:
        await runner.cleanup()


async def serve(app: App, host: str | None = None, port: int | None = None) -> None:
    """Run until SIGINT or SIGTERM, then stop gracefully."""
    service = build(app, host=host, port=port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with running(service, service.host, service.port) as bound:
        print(f"quantriet đang chạy tại http://{service.host}:{bound}/", flush=True)
        base = public_base(app)
        for line in service.notes:
            print("  " + line.replace("{base}", base), flush=True)
        print("Nhấn Ctrl+C để dừng.", flush=True)
        await stop.wait()
        print("Đang dừng…", flush=True)
