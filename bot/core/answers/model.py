"""A province's own language model, reached through the OpenAI chat-completions API.

vLLM, llama.cpp's server and Ollama all speak ``POST {base_url}/chat/completions`` with
server-sent events when ``stream`` is true; httpx (already a dependency of python-telegram-bot)
speaks it for us. Every failure — refused connection, HTTP error, malformed event, a reply that
takes longer than the configured time in total — is one :class:`ModelError`, because the caller
does the same thing for all of them: it shows the extractive answer instead.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass

import httpx

from bot.config import secret

API_KEY_VARIABLE = "QUANTRIET_LLM_API_KEY"


@dataclass(frozen=True)
class ModelSettings:
    """The ``[llm]`` section of config.toml (each setting is documented there)."""

    enabled: bool = False
    base_url: str = ""
    model: str = ""
    timeout_seconds: float = 20.0
    max_tokens: int = 400
    temperature: float = 0.0
    passage_chars: int = 1200


class ModelError(Exception):
    """The model could not give a complete reply in time; the message says why (for the log)."""


class ChatModel:
    """One configured endpoint; :meth:`stream` yields the reply's text as it is generated."""

    def __init__(self, settings: ModelSettings, transport: httpx.BaseTransport | None = None) -> None:
        self.settings = settings
        headers = {"Authorization": f"Bearer {key}"} if (key := secret(API_KEY_VARIABLE)) else {}
        self._client = httpx.Client(
            base_url=settings.base_url.rstrip("/"),
            headers=headers,
            timeout=httpx.Timeout(settings.timeout_seconds),
            transport=transport,
        )

    def close(self) -> None:
        self._client.close()

    def stream(self, messages: list[dict[str, str]]) -> Iterator[str]:
        """Yield pieces of the reply; raise :class:`ModelError` on any failure or past the time limit."""
        body = {
            "model": self.settings.model,
            "messages": messages,
            "max_tokens": self.settings.max_tokens,
            "temperature": self.settings.temperature,
            "stream": True,
        }
        deadline = time.monotonic() + self.settings.timeout_seconds
        try:
            with self._client.stream("POST", "/chat/completions", json=body) as response:
                if response.status_code != 200:
                    raise ModelError(f"HTTP {response.status_code}")
                for line in response.iter_lines():
                    if time.monotonic() > deadline:
                        raise ModelError(f"no complete reply within {self.settings.timeout_seconds:g} s")
                    piece = _event_text(line)
                    if piece is None:
                        return
                    if piece:
                        yield piece
        except httpx.HTTPError as exc:
            raise ModelError(f"{type(exc).__name__}: {exc}") from exc


def _event_text(line: str) -> str | None:
    """The text delta of one server-sent event line; ``None`` at ``[DONE]``; "" for other lines."""
    if not line.startswith("data:"):
        return ""
    data = line[5:].strip()
    if data == "[DONE]":
        return None
    try:
        choice = json.loads(data)["choices"][0]
    except (ValueError, KeyError, IndexError, TypeError) as exc:
        raise ModelError(f"malformed event: {data[:80]!r}") from exc
    content = (choice.get("delta") or choice.get("message") or {}).get("content")
    return content if isinstance(content, str) else ""
