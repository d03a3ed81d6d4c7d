"""Logs an operator can keep: a rotating file, text or JSON lines, phones and invite codes masked."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from bot.config import Config, ConfigError
from bot.ops import logs

PHONES = ["0905000001", "0905 000 002", "+84 905.000.003", "84905000004", "0235-3812-345"]


@pytest.fixture
def log_config(tmp_path: Path):
    def make(**settings) -> Config:
        return Config(raw={"logging": settings}, path=tmp_path / "config.toml")

    yield make
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.name == logs.HANDLER_NAME]:
        root.removeHandler(handler)
        handler.close()


def test_phones_and_invite_codes_are_masked_and_other_numbers_are_not():
    invite = logs.invite_pattern(8)
    text = "; ".join(PHONES) + "; mã K7MQ2XPA; /start K7MQ2XPA; ?code=AB3DEFGH"
    masked = logs.mask(text, invite)
    assert [part.strip() for part in masked.split(";")][:5] == ["***01", "***02", "***03", "***04", "***45"]
    assert "K7MQ2XPA" not in masked and "AB3DEFGH" not in masked and masked.count("[invite]") == 3
    kept = "2026-11-30T19:12:02+00:00 ack 12 hash 0a1b2c3d cosine 0.8312345678 69-KL/TW KEHOACH 12345678"
    assert logs.mask(kept, invite) == kept


def test_a_json_log_file_rotates_and_masks(log_config, tmp_path):
    logs.setup(log_config(file="logs/quantriet.log", format="json", max_mb=0.001, keep=2), logging.INFO)
    log = logging.getLogger("bot.test")
    log.setLevel(logging.INFO)
    for n in range(40):
        log.info("linked %s with code %s (%d)", PHONES[0], "K7MQ2XPA", n)
    try:
        raise ValueError("phone 0905000009 refused")
    except ValueError:
        log.exception("import failed")
    folder = tmp_path / "logs"
    assert sorted(p.name for p in folder.iterdir()) == ["quantriet.log", "quantriet.log.1", "quantriet.log.2"]
    records = [json.loads(line) for p in folder.iterdir() for line in p.read_text("utf-8").splitlines()]
    assert all(r["logger"] == "bot.test" and r["time"].endswith("+00:00") for r in records)
    assert records and all("0905000001" not in r["message"] and "K7MQ2XPA" not in r["message"] for r in records)
    failure = [r for r in records if r["message"] == "import failed"]
    assert failure and "ValueError: phone ***09 refused" in failure[0]["exception"]


def test_setting_up_again_replaces_the_handlers(log_config, tmp_path):
    config = log_config(file="quantriet.log")
    logs.setup(config, logging.INFO)
    logs.setup(config, logging.INFO)
    logging.getLogger("bot.test").warning("một lần %s", "0905000001")
    assert (tmp_path / "quantriet.log").read_text("utf-8").count("một lần ***01") == 1


def test_an_unknown_format_is_refused(log_config):
    with pytest.raises(ConfigError, match="format"):
        logs.setup(log_config(format="xml"), logging.INFO)
