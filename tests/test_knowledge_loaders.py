import io
import json
import unicodedata
from pathlib import Path

import docx
import pytest

from knowledge.corpora import article_heading
from knowledge.loaders import DocumentError, load_file
from knowledge.webpages import strip_chrome
from tests.conftest import REPO, SAMPLE_ARTICLE, SHARED_KNOWLEDGE, needs_shared

DATA = REPO / "tests" / "data" / "knowledge"
RAW_PAGE = SHARED_KNOWLEDGE / "raw" / "bao-quang-nam-2024-03-25-page.txt"


def make_pdf(pages: list[list[str]]) -> bytes:
    """A minimal PDF with a text layer (Helvetica, one line per entry), written by hand."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", "", "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for lines in pages:
        ops = ["BT", "/F1 11 Tf", "14 TL", "50 780 Td"]
        ops += [f"({line}) Tj T*" for line in lines]
        stream = "\n".join(ops + ["ET"])
        objects.append(f"<< /Length {len(stream)} >>\nstream\n{stream}\nendstream")
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            f"/Resources << /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>"
        )
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>"
    out, offsets = b"%PDF-1.4\n", []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n{body}\nendobj\n".encode("latin-1")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += "".join(f"{o:010d} 00000 n \n" for o in offsets).encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


def _write(folder: Path, name: str, content: str | bytes) -> Path:
    path = folder / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_text_with_header_block():
    (doc,) = load_file(SAMPLE_ARTICLE)
    assert doc.title == "Triển khai tốt nhiệm vụ phát triển khoa học, công nghệ được đề ra trong quy hoạch tỉnh"
    assert (doc.issued, doc.issuer) == ("2024-03-25", "Báo Quảng Nam (H.Quang)")
    assert doc.kind.startswith("bài báo") and doc.source.startswith("Báo Quảng Nam")
    assert doc.body.startswith("Đó là mục tiêu tổng quát")
    assert "title:" not in doc.body and len(doc.version) == 64


@needs_shared
def test_saved_web_page_loses_its_furniture():
    (page,) = load_file(RAW_PAGE)
    (clean,) = load_file(SAMPLE_ARTICLE)
    assert page.body == clean.body
    assert page.title == clean.title and page.issued == "2024-03-25" and page.issuer == "H.Quang"


def test_chrome_rules_are_general():
    page = "\n".join(
        [
            "Thời sự | Chính trị",
            "Hội nghị quán triệt Nghị quyết số 57-NQ/TW tại huyện miền núi",
            "Nguyễn Văn An - Thứ Hai, 12/05/2025 10:15",
            "Chia sẻ",
            "Sáng nay, Huyện ủy tổ chức hội nghị quán triệt Nghị quyết số 57-NQ/TW cho hơn 300 cán bộ, đảng viên "
            "chủ chốt; hội nghị được kết nối trực tuyến đến tất cả các xã, thị trấn trên địa bàn huyện để bảo đảm "
            "mọi người đều nắm được nội dung.",
            "Các chi bộ hoàn thành việc quán triệt trước ngày 30/6/2025.",
            "Lượt xem: 1.245",
            "Tin cùng chuyên mục",
            "Tỉnh tổ chức hội thi tìm hiểu về chuyển đổi số",
            "Thêm 20 xã hoàn thành chuẩn nông thôn mới",
            "© 2025 Báo Miền Núi. Ghi rõ nguồn khi phát hành lại.",
        ]
    )
    body, meta = strip_chrome(page)
    assert body.split("\n") == [
        page.split("\n")[4],
        "Các chi bộ hoàn thành việc quán triệt trước ngày 30/6/2025.",
    ]
    assert meta.title == "Hội nghị quán triệt Nghị quyết số 57-NQ/TW tại huyện miền núi"
    assert (meta.issued, meta.author) == ("2025-05-12", "Nguyễn Văn An")


def test_plain_documents_are_not_touched_by_chrome_rules():
    text = "Kế hoạch\nLiên hệ\nEmail: vanphong@example.vn\nChia sẻ dữ liệu giữa các sở, ngành."
    assert strip_chrome(text)[0] == text


@needs_shared
def test_metadata_guessed_from_the_wording(tmp_path):
    body = (SHARED_KNOWLEDGE / "nghi-quyet-20.txt").read_text("utf-8").split("\n\n", 1)[1]
    (doc,) = load_file(_write(tmp_path, "nq20.txt", body))
    assert (doc.number, doc.issued, doc.kind) == ("20-NQ/TW", "2012-11-01", "nghị quyết")
    assert doc.title.startswith("NGHỊ QUYẾT HỘI NGHỊ LẦN THỨ SÁU") and "TÌNH HÌNH" not in doc.title
    body = (SHARED_KNOWLEDGE / "ket-luan-69.txt").read_text("utf-8").split("\n\n", 1)[1]
    (doc,) = load_file(_write(tmp_path, "kl69.txt", body))
    assert (doc.title, doc.number, doc.issued, doc.kind) == (
        "Kết luận số 69-KL/TW",
        "69-KL/TW",
        "2024-01-11",
        "kết luận",
    )
    (doc,) = load_file(DATA / "luat-mau.txt")
    assert doc.number == "99/2030/QH15" and doc.kind == "luật"


def test_text_is_nfc_with_tone_placement_kept(tmp_path):
    text = unicodedata.normalize("NFD", "Công nghiệp hoá, hiện đại hóa\r\nthuỷ lợi")
    (doc,) = load_file(_write(tmp_path, "nfd.txt", text))
    assert doc.body == "Công nghiệp hoá, hiện đại hóa\nthuỷ lợi"
    assert unicodedata.is_normalized("NFC", doc.body)


def test_markdown_front_matter_and_inline_markup():
    (doc,) = load_file(DATA / "ke-hoach-mau.md")
    assert (doc.title, doc.number, doc.issued, doc.issuer) == (
        "Kế hoạch mẫu về chuyển đổi số",
        "12-KH/TU",
        "2024-05-02",
        "Tỉnh ủy Quảng Nam",
    )
    assert "Quán triệt sâu sắc nội dung Nghị quyết số 57-NQ/TW đến cán bộ, đảng viên." in doc.body
    assert "**" not in doc.body and "](" not in doc.body
    paths = {b.text: b.section.path for b in doc.outline().blocks}
    assert paths[
        "Ủy ban Kiểm tra Tỉnh ủy theo dõi, kiểm tra việc thực hiện; định kỳ 6 tháng báo cáo Ban Thường vụ Tỉnh ủy."
    ] == ("II. Nhiệm vụ > 2. Kiểm tra")


def test_html_page():
    (doc,) = load_file(DATA / "trang-bao.html")
    assert doc.title == "Tỉnh ủy triển khai kế hoạch số hóa văn bản"
    assert doc.issued == "2024-03-20"
    assert doc.body.split("\n") == [
        "Ngày 19/3, Ban Thường vụ Tỉnh ủy ban hành kế hoạch số hóa văn bản của Đảng bộ tỉnh nhằm bảo đảm mọi cán bộ, "
        "đảng viên tra cứu được văn bản một cách nhanh chóng, chính xác và thống nhất trong toàn hệ thống chính trị.",
        "Theo kế hoạch, các cấp ủy, tổ chức đảng hoàn thành việc rà soát, số hóa văn bản trước ngày 30/6/2024. "
        "Văn phòng Tỉnh ủy theo dõi, đôn đốc và định kỳ hằng quý báo cáo kết quả.",
        "- Sở Nội vụ hướng dẫn nghiệp vụ lưu trữ điện tử.",
        "- Sở Tài chính bố trí kinh phí thực hiện trong năm 2024.",
    ]


def test_docx_keeps_order_numbering_headings_and_tables(tmp_path):
    document = docx.Document()
    document.add_heading("Kế hoạch thực hiện", level=1)
    document.add_paragraph(unicodedata.normalize("NFD", "Các cấp ủy quán triệt nội dung."))
    document.add_paragraph("Tuyên truyền trên báo chí", style="List Number")
    document.add_paragraph("Tổ chức hội nghị", style="List Number")
    document.add_paragraph("Ban Tuyên giáo chủ trì", style="List Bullet")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Đơn vị"
    table.rows[0].cells[1].text = "Thời hạn"
    document.add_paragraph("Hoàn thành trước ngày 15/4/2024.")
    document.core_properties.title = "Kế hoạch mẫu"
    buffer = io.BytesIO()
    document.save(buffer)
    (doc,) = load_file(_write(tmp_path, "ke-hoach.docx", buffer.getvalue()))
    assert doc.body.split("\n") == [
        "# Kế hoạch thực hiện",
        "Các cấp ủy quán triệt nội dung.",
        "1. Tuyên truyền trên báo chí",
        "2. Tổ chức hội nghị",
        "- Ban Tuyên giáo chủ trì",
        "Đơn vị | Thời hạn",
        "Hoàn thành trước ngày 15/4/2024.",
    ]
    assert doc.title == "Kế hoạch mẫu"
    assert doc.outline().blocks[-1].section.path == "Kế hoạch thực hiện"


def test_pdf_text_layer(tmp_path):
    pages = [
        [
            "Tinh uy Quang Nam",
            "Ke hoach so 12-KH/TU",
            "I. Muc dich",
            "Cac cap uy quan triet noi dung",
            "ket luan truoc ngay 15/4/2024.",
            "1",
        ],
        ["Tinh uy Quang Nam", "II. Nhiem vu", "Ban Tuyen giao chu tri.", "2"],
        ["Tinh uy Quang Nam", "III. To chuc thuc hien", "Van phong theo doi.", "3"],
    ]
    (doc,) = load_file(_write(tmp_path, "ke-hoach.pdf", make_pdf(pages)))
    assert doc.body.split("\n") == [
        "Ke hoach so 12-KH/TU",
        "I. Muc dich",
        "Cac cap uy quan triet noi dung ket luan truoc ngay 15/4/2024.",  # the page width's break undone
        "II. Nhiem vu",
        "Ban Tuyen giao chu tri.",
        "III. To chuc thuc hien",
        "Van phong theo doi.",
    ]  # running header and page numbers removed
    assert doc.number == "12-KH/TU"


def test_zalo_legal_corpus(tmp_path):
    corpus = [
        {
            "law_id": "01/2009/TT-BNN",
            "articles": [
                {
                    "article_id": "1",
                    "title": "Phạm vi áp dụng",
                    "text": "Thông tư này hướng dẫn việc tuần tra.\n1. Khoản một.",
                },
                {"article_id": "2", "title": "Điều 2. Đối tượng", "text": "Áp dụng với cơ quan nhà nước."},
            ],
        },
        {
            "law_id": "45/2019/QH14",
            "title": "Bộ luật Lao động",
            "articles": [
                {"article_id": "5", "title": "Quyền của người lao động", "text": "Người lao động có quyền làm việc."},
            ],
        },
    ]
    path = _write(tmp_path, "legal_corpus.json", json.dumps(corpus, ensure_ascii=False))
    docs = load_file(path)
    assert [(d.path, d.number, d.title) for d in docs] == [
        (f"{path}#01/2009/TT-BNN", "01/2009/TT-BNN", "Văn bản 01/2009/TT-BNN"),
        (f"{path}#45/2019/QH14", "45/2019/QH14", "Bộ luật Lao động"),
    ]
    assert [s.path for s in docs[0].outline().sections()][1:] == ["Điều 1. Phạm vi áp dụng", "Điều 2. Đối tượng"]
    assert docs[0].version != docs[1].version


def test_alqac_articles_take_their_id_and_their_first_line_as_title(tmp_path):
    corpus = [
        {
            "id": "Luật Phòng, chống ma túy",
            "articles": [
                {"id": "3", "text": "Chính sách của Nhà nước\n\n1. Thực hiện đồng bộ các biện pháp."},
                {"id": "4", "text": "Ngân sách nhà nước bảo đảm kinh phí.\nNguồn tài trợ hợp pháp khác."},
            ],
        }
    ]
    docs = load_file(_write(tmp_path, "law.json", json.dumps(corpus, ensure_ascii=False)))
    assert docs[0].title == docs[0].number == "Luật Phòng, chống ma túy"  # named by its id
    outline = docs[0].outline()
    assert [s.label for s in outline.sections()][1:] == ["Điều 3. Chính sách của Nhà nước", "Điều 4"]
    assert [b.text for b in outline.blocks if b.section.label == "Điều 3. Chính sách của Nhà nước"] == [
        "1. Thực hiện đồng bộ các biện pháp."
    ]  # the title heads the article; a first line ending a sentence stays text


def test_jsonl_records_and_wrapped_json(tmp_path):
    lines = [
        {"id": "kh-01", "title": "Kế hoạch 01", "text": "I. Mục đích\nQuán triệt nghị quyết."},
        {"law_id": "luat-a", "article_id": "3", "title": "Trách nhiệm", "content": "Sở Tư pháp chủ trì."},
        {"law_id": "luat-a", "article_id": "4", "title": "Hiệu lực", "content": "Có hiệu lực từ ngày 1/1/2025."},
    ]
    path = _write(tmp_path, "corpus.jsonl", "\n".join(json.dumps(x, ensure_ascii=False) for x in lines))
    docs = {d.number: d for d in load_file(path)}
    assert docs["kh-01"].title == "Kế hoạch 01" and docs["kh-01"].outline().blocks[1].section.path == "I. Mục đích"
    assert [s.label for s in docs["luat-a"].outline().sections()][1:] == ["Điều 3. Trách nhiệm", "Điều 4. Hiệu lực"]
    wrapped = _write(tmp_path, "wrapped.json", json.dumps({"data": lines[:1]}, ensure_ascii=False))
    assert [d.number for d in load_file(wrapped)] == ["kh-01"]


def test_csv_corpus_one_article_per_row(tmp_path):
    rows = '\ufeffLaw_ID,article_id,title,text\nluat-b,1,Phạm vi,"Luật này quy định về đê điều, phòng chống lũ."\nluat-b,2,Giải thích từ ngữ,Đê là công trình ngăn nước.\n'
    docs = load_file(_write(tmp_path, "corpus.csv", rows))
    assert [d.number for d in docs] == ["luat-b"]
    assert [s.label for s in docs[0].outline().sections()][1:] == ["Điều 1. Phạm vi", "Điều 2. Giải thích từ ngữ"]


def test_article_heading_variants():
    assert article_heading("5", "Quyền của người lao động") == "Điều 5. Quyền của người lao động"
    assert article_heading("5", "Điều 5. Quyền") == "Điều 5. Quyền"
    assert article_heading("Điều 7", None) == "Điều 7"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.txt", b"", "rỗng"),
        ("blank.md", b"  \n\n ", "rỗng"),
        ("header-only.txt", "title: Chỉ có tiêu đề\n".encode(), "không có nội dung"),
        ("binary.txt", b"PK\x03\x04\x00\x00binary\x00data" * 10, "nhị phân"),
        ("latin.txt", "Nghị quyết về khoa học".encode().replace(b"\xe1", b"\xe0\xff"), "UTF-8"),
        ("table.xlsx", b"not a document", "chưa được hỗ trợ"),
        ("broken.docx", b"this is not a zip archive", ".docx"),
        ("broken.pdf", b"%PDF-1.4 garbage without objects", "PDF"),
        ("scan.pdf", make_pdf([[], []]), "lớp chữ"),
        ("bad.json", b'[{"law_id": "x", "articles": [', "JSON"),
        ("bad.jsonl", b'{"id": 1, "text": "ok"}\n{oops}\n', "Dòng 2"),
        ("nothing.json", b'[{"question": "Hoi gi?"}]', "không chứa văn bản"),
    ],
)
def test_bad_files_are_refused_with_a_vietnamese_message(tmp_path, name, content, message):
    with pytest.raises(DocumentError) as err:
        load_file(_write(tmp_path, name, content))
    assert message in str(err.value)


def test_huge_file_is_refused_before_reading(tmp_path):
    path = tmp_path / "huge.txt"
    with path.open("wb") as fh:
        fh.truncate(21 * 1024 * 1024)  # sparse: no 21 MB written to disk
    with pytest.raises(DocumentError, match="quá lớn"):
        load_file(path, max_file_mb=20)


def test_other_encodings(tmp_path):
    (doc,) = load_file(_write(tmp_path, "utf16.txt", "Kế hoạch số 5-KH/TU\nCác cấp ủy triển khai.".encode("utf-16")))
    assert doc.body == "Kế hoạch số 5-KH/TU\nCác cấp ủy triển khai." and doc.number == "5-KH/TU"
    # Windows-1258 writes "ệ" as "ê" + a combining dot below; NFC composes it back.
    legacy = "<html><head><meta charset='windows-1258'></head><body><p>Vi\u00ea\u0323t Nam</p></body></html>"
    (page,) = load_file(_write(tmp_path, "cu.html", legacy.encode("cp1258")))
    assert page.body == "Việt Nam"
    stale = "<html><head><meta charset='windows-1258'><title>Thử</title></head><body><p>Các cấp ủy</p></body></html>"
    (page,) = load_file(_write(tmp_path, "stale.html", stale))  # UTF-8 bytes under a stale declaration
    assert (page.title, page.body) == ("Thử", "Các cấp ủy")
