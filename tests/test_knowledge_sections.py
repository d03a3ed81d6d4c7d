from knowledge.chunks import ChunkSettings, make_chunks, text_hash
from knowledge.loaders import load_file
from knowledge.sections import classify_line, outline_from_articles, parse_outline, split_sentences
from tests.conftest import REPO, SHARED_KNOWLEDGE, needs_shared

DATA = REPO / "tests" / "data" / "knowledge"

RESOLUTION = """\
A- TÌNH HÌNH VÀ NGUYÊN NHÂN
1- Kết quả đạt được là quan trọng.
2- Những hạn chế có nguyên nhân chủ yếu sau:
a) Nhận thức chưa đầy đủ;
b) Cơ chế chưa đồng bộ.
B- ĐỊNH HƯỚNG
I- QUAN ĐIỂM
1- Phát triển khoa học là quốc sách hàng đầu.
II- NHIỆM VỤ VÀ GIẢI PHÁP
1- Đổi mới tư duy
Nâng cao nhận thức của các cấp ủy.
2- Đổi mới cơ chế quản lý
2.1- Đổi mới cơ chế tài chính
Đổi mới cơ chế xây dựng dự toán.
- Giao quyền tự chủ cho tổ chức khoa học.
+ Trước hết ở các viện nghiên cứu.
- Thực hiện cơ chế khoán.
Sau các gạch đầu dòng, đoạn này vẫn thuộc mục 2.1.
2.2- Đổi mới hệ thống tổ chức
Sắp xếp lại các tổ chức.
3- Tổ chức thực hiện
Các cấp ủy lãnh đạo thực hiện.
Nơi nhận:
- Các tỉnh ủy, thành ủy,
"""


def _paths(outline):
    return {b.text: b.section.path for b in outline.blocks}


def test_resolution_numbering_tree():
    paths = _paths(parse_outline(RESOLUTION))
    assert paths["b) Cơ chế chưa đồng bộ."] == "A- TÌNH HÌNH VÀ NGUYÊN NHÂN"  # content items stay in A
    assert paths["1- Phát triển khoa học là quốc sách hàng đầu."] == "B- ĐỊNH HƯỚNG > I- QUAN ĐIỂM"
    assert (
        paths["Nâng cao nhận thức của các cấp ủy."] == "B- ĐỊNH HƯỚNG > II- NHIỆM VỤ VÀ GIẢI PHÁP > 1- Đổi mới tư duy"
    )
    inner = "B- ĐỊNH HƯỚNG > II- NHIỆM VỤ VÀ GIẢI PHÁP > 2- Đổi mới cơ chế quản lý > 2.1- Đổi mới cơ chế tài chính"
    assert paths["+ Trước hết ở các viện nghiên cứu."] == inner
    assert paths["Sau các gạch đầu dòng, đoạn này vẫn thuộc mục 2.1."] == inner
    assert paths["Sắp xếp lại các tổ chức."].endswith("2- Đổi mới cơ chế quản lý > 2.2- Đổi mới hệ thống tổ chức")
    assert paths["Các cấp ủy lãnh đạo thực hiện."] == "B- ĐỊNH HƯỚNG > II- NHIỆM VỤ VÀ GIẢI PHÁP > 3- Tổ chức thực hiện"
    assert paths["- Các tỉnh ủy, thành ủy,"] == "Nơi nhận"  # the distribution list is not part of section 3


def test_roman_and_decimal_with_dots():
    outline = parse_outline(
        "I. Mục đích\nNội dung một.\nII. Nhiệm vụ\n1. Tuyên truyền\n1.1. Báo chí\nViết bài.\n1.2. Mạng xã hội\nĐăng tin.\n2. Kiểm tra\nKiểm tra định kỳ."
    )
    paths = _paths(outline)
    assert paths["Viết bài."] == "II. Nhiệm vụ > 1. Tuyên truyền > 1.1. Báo chí"
    assert paths["Đăng tin."] == "II. Nhiệm vụ > 1. Tuyên truyền > 1.2. Mạng xã hội"
    assert paths["Kiểm tra định kỳ."] == "II. Nhiệm vụ > 2. Kiểm tra"


def test_law_layers_and_chapter_title_on_its_own_line():
    doc = load_file(DATA / "luat-mau.txt")[0]
    outline = doc.outline()
    paths = _paths(outline)
    assert paths["Luật này quy định việc nạp văn bản vào kho tri thức của tỉnh."] == (
        "Chương I. NHỮNG QUY ĐỊNH CHUNG > Điều 1. Phạm vi điều chỉnh"
    )
    assert paths["a) Văn bản đã được nạp;"] == "Chương I. NHỮNG QUY ĐỊNH CHUNG > Điều 2. Giải thích từ ngữ"
    kinds = [s.kind for s in outline.sections()]
    assert kinds.count("chapter") == 2 and kinds.count("article") == 3


def test_markdown_headings_and_marker_classification():
    outline = parse_outline("# I. Mục đích\nA.\n## 1. Con\nNội dung.\n# II. Nhiệm vụ\nViệc khác.")
    paths = _paths(outline)
    assert paths["Nội dung."] == "I. Mục đích > 1. Con"
    assert paths["Việc khác."] == "II. Nhiệm vụ"
    assert classify_line("Điều 12a. Trách nhiệm")[:2] == ("article", "Điều 12a.")
    assert classify_line("2.1- Đổi mới")[0] == "decimal2"
    assert classify_line("• Một ý")[0] == "dot"
    assert classify_line("Điều chỉnh phân bổ ngân sách")[0] == ""
    assert classify_line("Phấn đấu đến năm 2030")[0] == ""
    assert classify_line("Mục tiêu cụ thể")[0] == ""


def test_articles_given_by_a_corpus_are_the_sections():
    outline = outline_from_articles(
        [("Điều 1. Phạm vi", "1. Khoản một.\n2. Khoản hai."), ("Điều 2. Đối tượng", "Áp dụng.")]
    )
    assert [(b.text, b.section.path) for b in outline.blocks] == [
        ("1. Khoản một.", "Điều 1. Phạm vi"),
        ("2. Khoản hai.", "Điều 1. Phạm vi"),
        ("Áp dụng.", "Điều 2. Đối tượng"),
    ]


def test_long_headings_are_shortened_in_paths():
    heading = "1. " + "Nâng cao nhận thức, đột phá về đổi mới tư duy " * 5
    outline = parse_outline(heading.strip() + "\nNội dung.")
    label = outline.blocks[1].section.label
    assert label.endswith("…") and len(label) <= 121 and label.startswith("1. Nâng cao")


def test_split_sentences():
    text = (
        "TP. Hồ Chí Minh và PGS.TS. Nguyễn Văn A dự họp. Kết luận số 69-KL/TW ban hành ngày 11.01.2024. "
        "Mục 1.1 nêu rõ v.v. và nhiều nội dung khác. H. Quang viết bài. Thời hạn là 15/4/2024! Xong."
    )
    assert split_sentences(text) == [
        "TP. Hồ Chí Minh và PGS.TS. Nguyễn Văn A dự họp.",
        "Kết luận số 69-KL/TW ban hành ngày 11.01.2024.",
        "Mục 1.1 nêu rõ v.v. và nhiều nội dung khác.",
        "H. Quang viết bài.",
        "Thời hạn là 15/4/2024!",
        "Xong.",
    ]
    assert split_sentences("1. Thành lập Ban Chỉ đạo. Thành lập Hội đồng.") == [
        "1. Thành lập Ban Chỉ đạo.",
        "Thành lập Hội đồng.",
    ]
    assert split_sentences("Điều 5. Quyền của người lao động\nII. Nhiệm vụ") == [
        "Điều 5. Quyền của người lao động",
        "II. Nhiệm vụ",
    ]


@needs_shared
def test_chunks_keep_sections_and_verbatim_text():
    doc = load_file(SHARED_KNOWLEDGE / "nghi-quyet-57.txt")[0]
    lines = set(doc.body.split("\n"))
    chunks = make_chunks(doc.outline(), ChunkSettings(chunk_chars=600, max_paragraph_chars=900))
    for chunk in chunks:
        for piece in chunk.pieces:
            assert piece.text in piece.block.text  # verbatim: whole paragraph or whole sentences of it
            assert piece.block.text in lines
        assert chunk.text_hash == text_hash(chunk.text)
        assert all(p.block.section.is_within(chunk.section) or p.block.is_heading for p in chunk.pieces)
    iv = [c for c in chunks if c.section_path == "IV- TỔ CHỨC THỰC HIỆN"]
    assert iv and iv[0].text.startswith("IV- TỔ CHỨC THỰC HIỆN\n1. Thành lập Ban Chỉ đạo")
    # "III- NHIỆM VỤ, GIẢI PHÁP" has no text of its own: it opens the chunk of its first subsection.
    first_iii = next(c for c in chunks if c.section_path.startswith("III-"))
    assert first_iii.text.startswith("III- NHIỆM VỤ, GIẢI PHÁP\n1. Nâng cao")
    assert first_iii.section_path.startswith("III- NHIỆM VỤ, GIẢI PHÁP > 1. Nâng cao nhận thức")


@needs_shared
def test_chunk_sizes_follow_the_settings():
    doc = load_file(SHARED_KNOWLEDGE / "nghi-quyet-20.txt")[0]
    small = make_chunks(doc.outline(), ChunkSettings(chunk_chars=300, max_paragraph_chars=400))
    large = make_chunks(doc.outline(), ChunkSettings(chunk_chars=1200, max_paragraph_chars=1500))
    assert len(small) > len(large)
    # A chunk holds more than the target only when one paragraph (or sentence run) alone is longer
    # (headings carried into the first chunk of their subsection come on top).
    for chunk in small:
        assert len(chunk) <= 300 or sum(not p.block.is_heading for p in chunk.pieces) == 1
    assert max(len(p.text) for c in small for p in c.pieces if not p.block.is_heading) <= 700


@needs_shared
def test_item_chunks_start_a_chunk_per_bullet():
    doc = load_file(SHARED_KNOWLEDGE / "ket-luan-69.txt")[0]
    chunks = make_chunks(doc.outline(), ChunkSettings(item_chunks=True))
    section_7 = [c for c in chunks if c.section_path == "7. Tổ chức thực hiện"]
    assert len(section_7) == 5
    assert all(sum(1 for p in c.pieces if p.block.kind == "dash") == 1 for c in section_7)
