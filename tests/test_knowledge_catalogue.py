import json
from pathlib import Path

import pytest

from bot.catalogue import ingest
from bot.cli import main
from knowledge import catalogue
from knowledge.catalogue import list_documents, list_duties
from tests.conftest import FIXTURE_KNOWLEDGE, REPO, SHARED_KNOWLEDGE

PLAN_V1 = """title: Kế hoạch thử nghiệm
number: 01-KH/TU

I. Mục đích
Quán triệt nghị quyết đến toàn thể cán bộ.
II. Tổ chức thực hiện
Ban Tuyên giáo Tỉnh ủy chủ trì tuyên truyền, hoàn thành trước ngày 15/4/2024.
"""
PLAN_V2 = PLAN_V1.replace("trước ngày 15/4/2024", "trước ngày 30/5/2024") + "Văn phòng Tỉnh ủy theo dõi, tổng hợp.\n"
LAW = """LUẬT THỬ NGHIỆM
Điều 1. Phạm vi điều chỉnh
Luật này quy định việc thử nghiệm.
Điều 2. Trách nhiệm
Bộ Tư pháp chủ trì hướng dẫn thi hành Luật này.
"""


def _write(path: Path, text: str | bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return path


def _no_parsing(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError("an unchanged file was parsed again")

    monkeypatch.setattr(catalogue, "load_bytes", refuse)
    monkeypatch.setattr(catalogue, "make_chunks", refuse)


def _rows(app, sql, *params):
    return [tuple(r) for r in app.db.execute(sql, params).fetchall()]


def test_configured_folders_and_a_no_change_reingest(app, monkeypatch):
    report = ingest(app)
    assert not report.errors
    sample = str(REPO / "knowledge" / "documents" / "bao-quang-nam-ke-hoach-tinh-uy-kl69.txt")
    assert sample in report.added
    if SHARED_KNOWLEDGE.exists():
        assert len(report.added) == 4  # the shared copy of the sample is the same bytes: catalogued once
        shared_copy = (SHARED_KNOWLEDGE / "bao-quang-nam-ke-hoach-tinh-uy-kl69.txt").resolve()
        assert report.duplicates == [(str(shared_copy), sample)]
    assert set(report.changed_ids) == {d["id"] for d in list_documents(app.db)}
    _no_parsing(monkeypatch)
    again = ingest(app)
    assert sorted(again.unchanged) == sorted(report.added)
    assert not (again.added or again.updated or again.removed or again.errors or again.changed)


def test_fresh_files_are_hashed_not_parsed_on_reingest(app, tmp_path, monkeypatch):
    folder = tmp_path / "docs"
    _write(folder / "plan.txt", PLAN_V1)
    _write(folder / "law.md", LAW)
    first = ingest(app, [folder])
    assert len(first.added) == 2
    _no_parsing(monkeypatch)  # just written: the timestamp is too fresh to trust, the hash decides
    again = ingest(app, [folder])
    assert len(again.unchanged) == 2 and not again.changed


def test_changed_file_replaces_chunks_and_duties_and_keeps_its_id(app, tmp_path):
    plan = _write(tmp_path / "docs" / "plan.txt", PLAN_V1)
    ingest(app, [plan])
    ((doc_id, version),) = _rows(app, "SELECT id, version FROM documents")
    old_chunks = _rows(app, "SELECT id, text_hash FROM chunks")
    assert _rows(app, "SELECT actor, due_date FROM duties") == [("Ban Tuyên giáo Tỉnh ủy", "2024-04-15")]

    _write(plan, PLAN_V2)
    report = ingest(app, [plan])
    assert report.updated == [str(plan)] and report.changed_ids == [doc_id]
    assert _rows(app, "SELECT id FROM documents") == [(doc_id,)]
    assert _rows(app, "SELECT version FROM documents")[0][0] != version
    new_chunks = _rows(app, "SELECT id, text_hash FROM chunks")
    assert not {i for i, _ in old_chunks} & {i for i, _ in new_chunks}  # old rows gone
    assert {h for _, h in new_chunks} != {h for _, h in old_chunks}
    assert _rows(app, "SELECT actor, due_date FROM duties ORDER BY id") == [
        ("Ban Tuyên giáo Tỉnh ủy", "2024-05-30"),
        ("Văn phòng Tỉnh ủy", None),
    ]
    assert all(cid in {i for i, _ in new_chunks} for (cid,) in _rows(app, "SELECT chunk_id FROM duties"))


def test_vanished_file_leaves_search_but_keeps_its_row(app, tmp_path):
    folder = tmp_path / "docs"
    plan = _write(folder / "plan.txt", PLAN_V1)
    _write(folder / "law.txt", LAW)
    ingest(app, [folder])
    ((plan_id,),) = _rows(app, "SELECT id FROM documents WHERE path = ?", str(plan))
    plan.unlink()
    report = ingest(app, [folder])
    assert report.removed == [str(plan)] and report.removed_ids == [plan_id]
    assert _rows(app, "SELECT count(*) FROM chunks WHERE document_id = ?", plan_id) == [(0,)]
    assert _rows(app, "SELECT count(*) FROM duties WHERE document_id = ?", plan_id) == [(0,)]
    assert _rows(app, "SELECT removed_at IS NOT NULL FROM documents WHERE id = ?", plan_id) == [(1,)]
    assert [d["path"] for d in list_documents(app.db)] == [str(folder / "law.txt")]
    assert len(list_documents(app.db, include_removed=True)) == 2
    _write(plan, PLAN_V1)  # it comes back: same row, searchable again
    back = ingest(app, [folder])
    assert back.added == [str(plan)] and back.changed_ids == [plan_id]
    assert _rows(app, "SELECT removed_at FROM documents WHERE id = ?", plan_id) == [(None,)]


def _huge(path: Path) -> None:
    with path.open("wb") as fh:
        fh.truncate(21 * 1024 * 1024)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (b"", "rỗng"),
        (b"\x00\x01\x02binary\x00" * 50, "nhị phân"),
        ("Kế hoạch triển khai".encode().replace(b"\xe1", b"\xff"), "UTF-8"),
        (_huge, "quá lớn"),
    ],
    ids=["empty", "binary", "undecodable", "huge"],
)
def test_bad_input_leaves_the_catalogue_intact(app, tmp_path, bad, message):
    folder = tmp_path / "docs"
    plan = _write(folder / "plan.txt", PLAN_V1)
    law = _write(folder / "law.txt", LAW)
    ingest(app, [folder])
    before = _rows(
        app,
        "SELECT d.id, d.version, c.id, c.text FROM documents d JOIN chunks c ON c.document_id = d.id "
        "WHERE d.path = ? ORDER BY c.id",
        str(plan),
    )
    if callable(bad):
        bad(plan)
    else:
        _write(plan, bad)
    _write(law, LAW + "Điều 3. Hiệu lực\nLuật này có hiệu lực từ ngày 01/01/2025.\n")
    new_bad = tmp_path / "docs" / "new.txt"
    bad(new_bad) if callable(bad) else _write(new_bad, bad)
    report = ingest(app, [folder])
    assert {p for p, _ in report.errors} == {str(plan), str(new_bad)}
    assert all(message in m for _, m in report.errors)
    assert report.updated == [str(law)]  # the other file still went in
    after = _rows(
        app,
        "SELECT d.id, d.version, c.id, c.text FROM documents d JOIN chunks c ON c.document_id = d.id "
        "WHERE d.path = ? ORDER BY c.id",
        str(plan),
    )
    assert after == before  # the last good version stays, searchable
    assert _rows(app, "SELECT count(*) FROM documents WHERE path = ?", str(new_bad)) == [(0,)]


def test_json_corpus_one_document_per_law(app, tmp_path):
    laws = [
        {
            "law_id": f"{n:02d}/2019/QH14",
            "title": f"Luật số {n}",
            "articles": [
                {
                    "article_id": str(a),
                    "title": f"Quy định {a}",
                    "text": f"1. Cơ quan nhà nước thực hiện quy định {a}.\n2. Bộ Tư pháp chủ trì hướng dẫn thi hành.",
                }
                for a in range(1, 4)
            ],
        }
        for n in range(1, 4)
    ]
    corpus = _write(tmp_path / "bench" / "legal_corpus.json", json.dumps(laws, ensure_ascii=False))
    report = ingest(app, [corpus])
    assert sorted(report.added) == [f"{corpus}#{n:02d}/2019/QH14" for n in range(1, 4)]
    docs = {d["number"]: d for d in list_documents(app.db)}
    assert docs["02/2019/QH14"]["title"] == "Luật số 2" and docs["02/2019/QH14"]["chunks"] == 3
    paths = {r[0] for r in _rows(app, "SELECT section_path FROM chunks")}
    assert paths == {"Điều 1. Quy định 1", "Điều 2. Quy định 2", "Điều 3. Quy định 3"}
    assert _rows(app, "SELECT DISTINCT actor FROM duties ORDER BY actor") == [("Bộ Tư pháp",), ("Cơ quan nhà nước",)]

    laws[1]["articles"][0]["text"] = "Nội dung mới của Điều 1."
    del laws[2]
    _write(corpus, json.dumps(laws, ensure_ascii=False))
    second = ingest(app, [corpus])
    assert second.updated == [f"{corpus}#02/2019/QH14"]
    assert second.unchanged == [f"{corpus}#01/2019/QH14"]
    assert second.removed == [f"{corpus}#03/2019/QH14"]
    assert second.changed_ids == [docs["02/2019/QH14"]["id"]]


def test_folder_of_laws_as_text_files(app, tmp_path):
    for n in range(1, 4):
        _write(tmp_path / "laws" / f"luat-{n}.txt", LAW.replace("THỬ NGHIỆM", f"THỬ NGHIỆM SỐ {n}"))
    report = ingest(app, [tmp_path / "laws"])
    assert len(report.added) == 3 and not report.errors
    assert {r[0] for r in _rows(app, "SELECT section_path FROM chunks WHERE text LIKE '%Bộ Tư pháp%'")} == {
        "Điều 2. Trách nhiệm"
    }


def test_missing_or_empty_explicit_paths_are_reported(app, tmp_path):
    (tmp_path / "empty").mkdir()
    report = ingest(app, [tmp_path / "nowhere", tmp_path / "empty"])
    assert [p for p, _ in report.errors] == [str(tmp_path / "nowhere"), str(tmp_path / "empty")]
    assert report.ingested == 0


def test_list_duties_matches_actor_without_marks_and_abbreviations(app):
    ingest(app, [FIXTURE_KNOWLEDGE])
    for query in ("hoi dong nhan dan", "HĐND", "Đảng đoàn Hội đồng nhân dân tỉnh", "dang doan hdnd"):
        assert {d["actor"] for d in list_duties(app.db, actor=query)} == {"Đảng đoàn HĐND tỉnh"}, query
    plan = list_duties(app.db, document="27-KH/TU")
    assert plan and {d["number"] for d in plan} == {"27-KH/TU"}
    dated = [d for d in list_duties(app.db) if d["due_date"]]
    assert [d["due_date"] for d in dated][:3] == ["2030-03-31", "2030-05-15", "2030-05-31"]  # soonest first


@pytest.fixture
def search_stub(monkeypatch):
    """The search engine's refresh, recorded instead of run (embeddings/ is tested on its own)."""
    calls = []

    class Result:
        changed = True

        def summary(self) -> str:
            return "Chỉ mục tìm kiếm: đã cập nhật."

    monkeypatch.setattr("bot.commands.knowledge.refresh", lambda app, progress=None: calls.append(app) or Result())
    return calls


def test_cli_ingest_duties_documents(app, tmp_path, capsys, search_stub):
    plan = _write(tmp_path / "docs" / "plan.txt", PLAN_V1)
    assert main(["ingest", str(plan.parent)]) == 0
    out = capsys.readouterr().out
    assert "Văn bản mới: 1" in out and "Chỉ mục tìm kiếm" in out and len(search_stub) == 1
    assert main(["duties", "--actor", "ban tuyen giao"]) == 0
    out = capsys.readouterr().out
    assert "Ban Tuyên giáo Tỉnh ủy" in out and "15/4/2024" in out
    assert main(["duties", "--actor", "Bộ Quốc phòng"]) == 0
    assert "Không có nhiệm vụ nào khớp" in capsys.readouterr().out
    assert main(["documents"]) == 0
    out = capsys.readouterr().out
    assert "01-KH/TU | Kế hoạch thử nghiệm" in out and "1 nhiệm vụ" in out


def test_cli_ingest_fails_only_when_nothing_could_be_read(app, tmp_path, capsys, search_stub):
    bad = _write(tmp_path / "bad.txt", b"")
    assert main(["ingest", str(bad), str(tmp_path / "missing.txt")]) == 1
    out = capsys.readouterr().out
    assert "Tệp rỗng" in out and "Không tìm thấy" in out
    good = _write(tmp_path / "good.txt", PLAN_V1)
    assert main(["ingest", str(bad), str(good)]) == 0


def test_a_reader_failure_is_reported_and_other_files_still_go_in(app, tmp_path, monkeypatch):
    _write(tmp_path / "docs" / "a.txt", PLAN_V1)
    _write(tmp_path / "docs" / "b.txt", LAW)
    real = catalogue.load_bytes

    def flaky(path, data):
        if path.name == "a.txt":
            raise RuntimeError("bug in a reader")
        return real(path, data)

    monkeypatch.setattr(catalogue, "load_bytes", flaky)
    report = ingest(app, [tmp_path / "docs"])
    assert report.added == [str(tmp_path / "docs" / "b.txt")]
    assert report.errors == [
        (str(tmp_path / "docs" / "a.txt"), "Không đọc được tệp do lỗi không mong đợi (RuntimeError).")
    ]


def test_cli_reports_a_failed_index_refresh(app, tmp_path, capsys, monkeypatch):
    def broken(app, progress=None):
        raise RuntimeError("model missing")

    monkeypatch.setattr("bot.commands.knowledge.refresh", broken)
    assert main(["ingest", str(_write(tmp_path / "plan.txt", PLAN_V1))]) == 1
    out = capsys.readouterr().out
    assert "Văn bản mới: 1" in out and "Không cập nhật được chỉ mục tìm kiếm: model missing" in out
