"""``quantriet serve``: the web server, the chat channels, the outbox sender and the reminders."""

from __future__ import annotations

import argparse
import asyncio
import errno
import logging

from bot.app import App
from bot.core.errors import UserError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("serve", help="chạy trợ lý: web, Telegram/Zalo (khi có token), gửi tin và nhắc hạn")
    p.add_argument("--host", help="địa chỉ lắng nghe (mặc định [web] host hoặc $QUANTRIET_WEB_HOST)")
    p.add_argument("--port", type=int, help="cổng (mặc định [web] port hoặc $QUANTRIET_WEB_PORT)")
    p.set_defaults(func=cmd_serve)


def cmd_serve(app: App, args: argparse.Namespace) -> int:
    from bot.serve import serve  # the channels' imports are heavy: only when serving

    logging.getLogger("bot").setLevel(min(logging.getLogger().level, logging.INFO))
    try:
        asyncio.run(serve(app, args.host, args.port))
    except OSError as exc:  # the address could not be bound: in use, not ours, not a local address
        if exc.errno == errno.EADDRINUSE:
            raise UserError(
                "Cổng này đang được một chương trình khác dùng (có thể là một «quantriet serve» khác). "
                "Hãy dừng chương trình đó hoặc chọn cổng khác, ví dụ: quantriet serve --port 8081"
            ) from None
        raise UserError(f"Không mở được máy chủ web: {exc.strerror or exc}.") from None
    return 0
