"""A newcomer's first hour on a fresh clone: which document ``scripts/run.sh`` assigns (a text
without a number gets a short reference), and what the start banner says about the catalogue."""

from __future__ import annotations

from bot import serve
from bot.catalogue import ingest
from bot.channels import web as web_channel
from bot.channels.web_settings import ADMIN_PASSWORD_ENV, ADMIN_PHONE_ENV
from bot.cli import main
from bot.core.evidence import assignments, documents
from tests.conftest import FIXTURE_KNOWLEDGE, SAMPLE_ARTICLE
from tests.ledger_support import load_province


def test_the_sample_alone_is_assigned_by_its_short_reference(app, tmp_path, capsys):
    ingest(app, [SAMPLE_ARTICLE])
    assert main(["documents", "--main"]) == 0
    reference = capsys.readouterr().out.strip()
    (doc,) = documents.current_documents(app)
    assert reference == f"VB{doc.id}" == doc.reference and doc.number is None
    assert main(["documents"]) == 0
    assert capsys.readouterr().out.startswith(f"VB{doc.id} | Triển khai tốt nhiệm vụ")
    load_province(app, tmp_path)
    assert main(["assign", "--document", reference.lower(), "--due", "2031-01-15"]) == 0
    assignment = assignments.require_assignment(app, int(capsys.readouterr().out.strip()))
    assert assignment.document.id == doc.id and assignments.member_ids(app, assignment.id)


def test_main_document_is_the_configured_one_else_the_newest_numbered(app, capsys):
    assert main(["documents", "--main"]) == 1  # an empty catalogue: nothing to assign
    assert "quantriet ingest" in capsys.readouterr().err
    ingest(app, [FIXTURE_KNOWLEDGE, SAMPLE_ARTICLE])
    assert documents.main_document(app).number == "27-KH/TU"  # 69-KL/TW (config.toml) is not there
    app.config.raw["knowledge"]["main_document"] = "901-KL/TW"
    assert documents.main_document(app).number == "901-KL/TW"


def test_banner_lists_the_catalogue_says_how_to_add_texts_and_where_to_log_in(app, monkeypatch):
    monkeypatch.setenv(ADMIN_PASSWORD_ENV, "mat-khau-thu")
    monkeypatch.setenv(ADMIN_PHONE_ENV, "0999888777")  # not in the (empty) roster
    ingest(app, [SAMPLE_ARTICLE])
    notes = "\n".join(serve.build(app, (web_channel,), host="127.0.0.1", port=9123).notes)
    assert "Kho văn bản: 1 văn bản." in notes and "VB1: Triển khai tốt nhiệm vụ" in notes
    assert (
        "Chưa có văn bản chính thức" in notes
        and "knowledge/documents" in notes
        and "quantriet ingest https://" in notes
    )
    assert "Đăng nhập quản trị: {base}/admin/login" in notes and "Quản trị hệ thống" in notes

    ingest(app, [FIXTURE_KNOWLEDGE])
    notes = "\n".join(serve.build(app, (web_channel,), host="127.0.0.1", port=9123).notes)
    assert "Kho văn bản: 3 văn bản." in notes and "27-KH/TU: Kế hoạch số 27-KH/TU" in notes
    assert "Chưa có văn bản chính thức" not in notes
