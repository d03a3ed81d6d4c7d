"""Reading a JSON request body (web chat calls, Telegram and Zalo webhooks) that anyone may send.

``json.loads`` alone lets through what breaks later, far from the request: a lone surrogate
("\\ud800" is valid JSON but not valid UTF-8, so SQLite and every platform refuse the text) and
nesting deep enough to exhaust the recursion limit. Here every such body is a ``ValueError``,
which each caller answers with a 400.
"""

from __future__ import annotations

import json
from typing import Any


def object_at(obj: dict[str, Any], key: str) -> dict[str, Any]:
    """``obj[key]`` when it is an object, else an empty one (a malformed update must not crash)."""
    value = obj.get(key)
    return value if isinstance(value, dict) else {}


def json_body(raw: bytes | str) -> Any:
    """The parsed body; ValueError when it is not JSON that can be stored and sent on."""
    try:
        value = json.loads(raw)
        json.dumps(value, ensure_ascii=False).encode("utf-8")  # a lone surrogate raises here
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
    return value
