"""A fake OpenAI-compatible chat server on 127.0.0.1, scripted per test.

It runs in a thread of its own (the stdlib's threading HTTP server) because the model client is
synchronous: it is called from the conversation core, never from the event loop. ``reply`` is
the text the "model" writes (or a function of the request body that returns it); it is streamed as server-sent events a few characters at a time,
like vLLM or llama.cpp do. ``delay`` slows every event; ``status`` answers with an HTTP error.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

PIECE = 12  # characters per streamed event
_WORD = re.compile(r"\w+")


@dataclass
class Script:
    reply: str | Callable[[dict[str, Any]], str] = ""
    delay: float = 0.0
    status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)


class FakeOpenAI:
    """``with FakeOpenAI() as fake:`` serves ``fake.base_url``; change ``fake.script`` between calls."""

    def __init__(self) -> None:
        self.script = Script()
        script = lambda: self.script  # noqa: E731 - the handler reads the current script
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()


def _handler(script: Any) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # quiet
            pass

        def do_POST(self) -> None:
            current: Script = script()
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            current.requests.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization")})
            if current.status != 200:
                self.send_response(current.status)
                self.end_headers()
                self.wfile.write(b'{"error": {"message": "scripted failure"}}')
                return
            reply = current.reply(body) if callable(current.reply) else current.reply
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            try:
                for start in range(0, len(reply), PIECE):
                    time.sleep(current.delay)
                    event = {"choices": [{"index": 0, "delta": {"content": reply[start : start + PIECE]}}]}
                    self.wfile.write(f"data: {json.dumps(event, ensure_ascii=False)}\n\n".encode())
                    self.wfile.flush()
                self.wfile.write(b"data: [DONE]\n\n")
            except (BrokenPipeError, ConnectionResetError):  # the client gave up (its time-out)
                pass

    return Handler


def passage_one(body: dict[str, Any]) -> tuple[str, str]:
    """The question and the text of passage [1] in a request built by ``rephrase.messages``."""
    prompt = body["messages"][1]["content"]
    question = prompt.split("\n", 1)[0].removeprefix("Câu hỏi: ")
    first = prompt.split("\n[1] ", 1)[1].split("\n[2] ", 1)[0]
    return question, first.split(") ", 1)[-1]


def faithful(body: dict[str, Any]) -> str:
    """A model that restates the sentence of passage [1] sharing most words with the question, cited."""
    from knowledge.sections import split_sentences

    question, passage = passage_one(body)
    words = set(_WORD.findall(question.lower()))
    best = max(split_sentences(passage) or [passage], key=lambda s: len(words & set(_WORD.findall(s.lower()))))
    return f"Theo đoạn trích, {best.rstrip('.;:')} [1]. Đồng chí xem nguồn bên dưới [1]."
