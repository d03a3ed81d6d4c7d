"""`quantriet ingest URL` against a real HTTP server on 127.0.0.1: the kept copy and its
provenance, conditional refresh, a changed text replacing the old one under the same id, and the
timeout and size limits refusing cleanly (the last good copy stays)."""

from __future__ import annotations

import csv
import json
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.catalogue import ingest
from bot.cli import main
from bot.core.chat.conversation import Conversation
from bot.core.evidence import exports
from bot.sources import fetch_sources, provenance
from knowledge.catalogue import list_documents
from tests.chat_support import CADRE, Chat, link
from tests.conftest import REPO
from tests.ledger_support import assign_all, load_province

PAGE = """<html><head><title>Kế hoạch số 12-KH/TU của Tỉnh ủy Thử Nghiệm</title></head><body>
<nav>Trang chủ | Thời sự</nav>
<article><h1>Kế hoạch số 12-KH/TU của Tỉnh ủy Thử Nghiệm</h1>
<p>I. Mục đích</p><p>Quán triệt kết luận đến toàn thể cán bộ, đảng viên.</p>
<p>II. Tổ chức thực hiện</p><p>Ban Tuyên giáo Tỉnh ủy chủ trì, hoàn thành trước ngày 15/4/2031.</p>
</article></body></html>"""


@dataclass
class Site:
    """What the local server answers: path → (status, content type, body); every request seen."""

    pages: dict[str, tuple[int, str, bytes]] = field(default_factory=dict)
    delay: float = 0.0
    length: bool = True  # send Content-Length (False: the body runs until the connection closes)
    requests: list[dict[str, str]] = field(default_factory=list)
    origin: str = ""

    def url(self, path: str) -> str:
        return self.origin + path


@pytest.fixture
def site() -> Iterator[Site]:
    state = Site()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append({"path": self.path, **{k.lower(): v for k, v in self.headers.items()}})
            time.sleep(state.delay)
            status, kind, body = state.pages.get(self.path, (404, "text/plain", b"not found"))
            etag = f'"{hash(body) & 0xFFFFFFFF:x}"'
            if status == 200 and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("ETag", etag)
            if state.length:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except OSError:  # the client gave up (too large / too slow): expected
                pass

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.origin = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def configure(tmp_path, monkeypatch):
    """The command line loads its own config: a copy of config.toml whose settings a test can change,
    reading no folder (only what the test fetches)."""
    text = (REPO / "config.toml").read_text("utf-8")
    path = tmp_path / "config.toml"

    def change(**values: object) -> None:
        nonlocal text
        for key, value in values.items():
            text, found = re.subn(rf"^{key} = .*$", f"{key} = {json.dumps(value)}", text, count=1, flags=re.M)
            assert found, key
        path.write_text(text, encoding="utf-8")

    change(folders=[])
    monkeypatch.setenv("QUANTRIET_CONFIG", str(path))
    return change


@pytest.fixture
def search_stub(monkeypatch):
    """The search refresh is not what is tested here (embeddings/ has its own tests)."""

    class Result:
        changed = False

        def summary(self) -> str:
            return ""

    monkeypatch.setattr("bot.commands.knowledge.refresh", lambda app, progress=None: Result())


def test_page_is_fetched_kept_and_catalogued_with_its_provenance(app, site, configure, search_stub):
    site.pages["/van-ban/ke-hoach-12"] = (200, "text/html; charset=utf-8", PAGE.encode())
    url = site.url("/van-ban/ke-hoach-12")
    assert main(["ingest", url]) == 0
    (doc,) = list_documents(app.db)
    assert doc["number"] == "12-KH/TU" and "Trang chủ" not in doc["title"]
    where = provenance(app, doc["id"])
    assert where is not None and where.url == url and where.fetched_at.startswith(str(app.now().year))
    assert doc["path"].startswith(str(app.data_dir / "sources")) and doc["path"].endswith(".html")
    duties = app.db.execute("SELECT due_date FROM duties WHERE document_id = ?", (doc["id"],)).fetchall()
    assert ("2031-04-15",) in duties


def test_unchanged_page_is_revalidated_and_a_changed_one_replaces_its_text(app, site):
    site.pages["/kh"] = (200, "text/html", PAGE.encode())
    url = site.url("/kh")
    ingest(app, fetch_sources(app, [url])[0])
    (first,) = list_documents(app.db)

    paths, errors = fetch_sources(app, [url])
    assert not errors and site.requests[-1].get("if-none-match")  # a conditional request: 304
    report = ingest(app, paths)
    assert report.unchanged and not report.changed

    site.pages["/kh"] = (200, "text/html", PAGE.replace("15/4/2031", "30/6/2031").encode())
    report = ingest(app, fetch_sources(app, [url])[0])
    assert report.updated and report.changed_ids == [first["id"]]  # same document id: acks stay attached
    (due,) = app.db.execute(
        "SELECT due_date FROM duties WHERE document_id = ? AND due_date IS NOT NULL", (first["id"],)
    )
    assert due == ("2031-06-30",)


def test_plain_ingest_rechecks_every_fetched_url(app, site, configure, search_stub):
    site.pages["/kh"] = (200, "text/html", PAGE.encode())
    assert main(["ingest", site.url("/kh")]) == 0
    site.pages["/kh"] = (200, "text/html", PAGE.replace("15/4/2031", "30/6/2031").encode())
    assert main(["ingest"]) == 0
    assert app.db.execute("SELECT due_date FROM duties WHERE due_date IS NOT NULL").fetchall() == [("2031-06-30",)]


@pytest.mark.parametrize("send_length", [True, False])
def test_too_large_is_refused_and_the_last_good_copy_stays(app, site, configure, search_stub, capsys, send_length):
    site.pages["/kh"] = (200, "text/html", PAGE.encode())
    assert main(["ingest", site.url("/kh")]) == 0
    capsys.readouterr()
    configure(max_file_mb=0.01)  # 10 KiB
    site.length = send_length
    site.pages["/kh"] = (200, "text/html", PAGE.encode() + b" " * 20_000)
    assert main(["ingest", site.url("/kh")]) == 0  # the kept copy is still there and catalogued
    out = capsys.readouterr().out
    assert "quá lớn" in out and "giới hạn 10 KB" in out
    assert [d["number"] for d in list_documents(app.db)] == ["12-KH/TU"]


def test_slow_server_unknown_type_bad_status_and_bad_scheme(app, site, configure, search_stub, capsys):
    configure(fetch_timeout_seconds=0.3)
    site.pages["/slow"] = (200, "text/html", PAGE.encode())
    site.pages["/image"] = (200, "image/png", b"\x89PNG....")
    site.delay = 1.0
    assert main(["ingest", site.url("/slow")]) == 1
    assert "Không tải được" in capsys.readouterr().out
    site.delay = 0
    assert main(["ingest", site.url("/image")]) == 1
    assert "chưa được hỗ trợ" in capsys.readouterr().out
    assert main(["ingest", site.url("/missing")]) == 1
    assert "lỗi 404" in capsys.readouterr().out
    assert main(["ingest", "ftp://127.0.0.1/kh.txt"]) == 1  # not a URL we fetch: read as a (missing) path
    assert list_documents(app.db) == []


async def test_provenance_is_shown_in_the_chat_and_the_export(app, site, tmp_path):
    site.pages["/kh"] = (200, "text/html", PAGE.encode())
    url = site.url("/kh")
    ingest(app, fetch_sources(app, [url])[0])
    (doc,) = list_documents(app.db)
    load_province(app, tmp_path)
    assignment = assign_all(app, doc["id"], due=date(2031, 4, 15))

    chat = Chat(Conversation(app), link(app, CADRE))
    detail = "\n".join(r.text for r in await chat.press(f"doc:{doc['id']}"))
    assert f"Nguồn: {url} (tải về lúc " in detail

    out = exports.export_acks(app, None, "csv", tmp_path / "acks.csv", assignment_id=assignment)
    rows = list(csv.reader(out.read_text("utf-8-sig").splitlines()))
    assert rows[0][-1] == "Nguồn văn bản"
    assert {r[-1].split(" (")[0] for r in rows[1:]} == {url}
