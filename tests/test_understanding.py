"""Question understanding: chat typing normalised, intent, texts named, whose unit (no catalogue needed)."""

from __future__ import annotations

import pytest

from bot.core.answers.understanding import normalise, understand
from embeddings.references import DocumentReferences, NamedDocument, named_documents
from knowledge.metadata import announces_signing, is_furniture, parse_metadata
from knowledge.places import province_at, provinces_in, provinces_written


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("han chot nop bao cao la ngay nao vay ad", "han chot nop bao cao la ngay nao"),
        ("Cho em hỏi thời hạn nộp báo cáo là khi nào ạ", "thời hạn nộp báo cáo là khi nào"),
        ("muc tieu chi cho R&D la bn % GDP", "muc tieu chi cho R&D la bao nhieu % GDP"),
        ("văn bản có nói về đất đai ko", "văn bản có nói về đất đai không"),
        ("THOI HAN NOP BAO CAO", "thoi han nop bao cao"),
        ("Hội đồng tư vấn gồm những ai tham gia", "Hội đồng tư vấn gồm những ai tham gia"),
        ("ai lam truong ban", "ai lam truong ban"),
        ("Em đang soạn bài cho chi bộ, NQ 12 coi cái gì là then chốt ạ?", "Nghị quyết 12 coi cái gì là then chốt"),
        ("han chot tuyen truyen KL69 la ngay may", "han chot tuyen truyen ket luan 69 la ngay may"),
        ("69-KL/TW ban hành ngày nào", "69-KL/TW ban hành ngày nào"),
        (
            "Tuần sau chi bộ em học Nghị quyết 12. Nghị quyết nói gì về đất đai ạ?",
            "Nghị quyết 12 Nghị quyết nói gì về đất đai",
        ),
        # an asking sentence with no content of its own keeps what the sentence before asks about
        (
            "Tháng tới chi bộ em học Nghị quyết 12, em muốn làm rõ vai trò của hợp tác xã trong giao đất. NQ nói thế nào ạ?",
            "Nghị quyết 12 vai trò của hợp tác xã trong giao đất, NQ nói thế nào",
        ),
        (
            "tuan sau chi bo em hoc nghi quyet 12, toi can tim hieu ve thu hoi dat. Van ban nay quy dinh ra sao?",
            "nghi quyet 12 thu hoi dat, Van ban nay quy dinh ra sao?",
        ),
        ("Đơn vị tôi đang làm kế hoạch về đất đai. Văn bản này quy định ra sao?", "Văn bản này quy định ra sao?"),
        # "con" typed bare before "trong" is "còn": it turns to another matter, no self
        (
            "con trong ke hoach 27, ngoai thu vien so thi con xay dung nhung j nua?",
            "con trong ke hoach 27, ngoai thu vien so thi con xay dung nhung gi nua?",
        ),
        # "còn" with its marks turns to another matter; "con" is the asker only before what they do
        (
            "còn tốc độ số hoá tài liệu, sách báo thì KL901 đặt bao nhiêu?",
            "còn tốc độ số hoá tài liệu, sách báo thì Kết luận 901 đặt bao nhiêu?",
        ),
        ("con muon hoi, KL901 ban hanh ngay nao", "ket luan 901 ban hanh ngay nao"),
        (
            "bot oi theo NQ 12 ban can su dang lam gi",
            "theo nghi quyet 12 ban can su dang lam gi",
        ),  # "bot ơi" alone opens
        # a letter's salutation is no part of the question
        (
            "Kính gửi ban biên tập, theo NQ 12, Ban cán sự đảng có trách nhiệm gì ạ?",
            "theo Nghị quyết 12, Ban cán sự đảng có trách nhiệm gì",
        ),
        # the sentence ending in "?" asks, though context follows it ("cần" is no question word there)
        (
            "Kết luận 5 ban hành ngày nào ạ? Tôi cần ghi chính xác vào báo cáo của chi bộ.",
            "Kết luận 5 ban hành ngày nào ạ?",
        ),
    ],
)
def test_chat_typing_is_normalised(typed, expected):
    assert normalise(typed) == expected


@pytest.mark.parametrize(
    ("question", "intent", "detail"),
    [
        ("bạn là ai vậy", "small_talk", "identity"),
        ("cam on nhe", "small_talk", "thanks"),
        ("chào ad", "small_talk", "greeting"),
        ("bot làm được gì", "help", ""),
        ("KL69 ai ky vay ad", "metadata", "signer"),
        ("nq20 ngay nao", "metadata", "issued"),
        ("Nghị quyết 12 là của hội nghị nào", "metadata", "session"),
        ("Kết luận 5 là văn bản của Ban Bí thư hay Bộ Chính trị?", "metadata", "issuer"),
        ("han nop ke hoach la ngay nao", "deadline", ""),
        ("Ty le doanh nghiep dat bao nhieu", "figure", ""),
        ("Ban Tuyên giáo có nhiệm vụ gì", "duty", ""),
        ("Nghị quyết có nhắc đến đất đai không?", "yesno", ""),
        ("Quan điểm chỉ đạo nói về vai trò nhà khoa học", "content", ""),
    ],
)
def test_intent(question, intent, detail):
    reading = understand(question)
    assert reading.intent == intent
    assert detail in (reading.small_talk, reading.metadata, "")


@pytest.mark.parametrize(
    ("question", "opinion"),
    [
        ("theo ban kl901 co kha thi khong", True),
        ("Ad thấy kế hoạch 27 thế nào?", True),
        ("So với KL901 thì kế hoạch 27 có tiến bộ hơn ko, ad nhận xét giúp em", True),
        ("Đơn vị em có nên lập ban chỉ đạo riêng không ạ", True),
        ("theo ban tuyen giao, KL901 phai lam gi", False),
        ("Em là cán bộ xã mới về, nên học chứng chỉ gì để đáp ứng KL901 ạ?", True),
        ("em nên làm gì để quán triệt KL901", False),  # what the texts ask of a cadre
        ("các cấp uỷ nên làm gì để quán triệt KL901", False),
        ("muc tieu nay co kha thi khong", True),
        ("vn co dat top 3 ve thu vien so vao 2031 ko, du bao giup", True),  # a forecast
        ("KL901 co kha thi ko, 2% chi thuong xuyen lieu co du ko", True),  # judging, not quoting
        ("2% chi thường xuyên có đủ không", True),
        ("kinh phí có đủ cho số hoá tài liệu không", False),  # may be a requirement the texts state
        ("KL901 đánh giá thế nào về thư viện số?", False),
    ],
)
def test_a_question_asking_the_assistant_s_own_opinion(question, opinion):
    assert (understand(question).small_talk == "opinion") == opinion


def test_yes_no_about_a_mention():
    assert understand("kế hoạch có nhắc đến khởi nghiệp ko").mention == "khoi nghiep"
    assert understand("Đất đai có được nhắc trong kế hoạch không?").mention == "dat dai"
    assert not understand("hạn là 30/4 đúng không").mention
    assert understand("KL901 có đề cập chuyện bảo hộ bản quyền không vậy ad").mention == "bao ho ban quyen"


def test_a_plan_about_a_named_text_implements_it():
    assert understand("Theo kế hoạch của Tỉnh uỷ về KL 901 thì Mặt trận phải làm gì ạ?").implementing


def test_implementing_text_and_own_unit():
    reading = understand("kế hoạch của tỉnh ủy thực hiện NQ 12 ban hành ngày nào")
    assert reading.intent == "metadata" and reading.implementing
    assert understand("đơn vị tôi phải làm gì").own_unit
    assert not understand("các đơn vị phải làm gì").own_unit


@pytest.mark.parametrize(
    ("question", "actor"),
    [
        ("Đảng đoàn Quốc hội có nhiệm vụ gì?", "Đảng đoàn Quốc hội"),
        ("UY BAN KIEM TRA CO NHIEM VU GI TRONG KE HOACH", "uy ban kiem tra"),
        ("Ở chi bộ mình thì cấp ủy có trách nhiệm gì", "cấp ủy"),
        ("Theo KL901, Ban cán sự đảng Chính phủ được giao chỉ đạo việc gì?", "Ban cán sự đảng Chính phủ"),
        ("KL901 giao Ban Tuyên giáo những nhiệm vụ gì", "Ban Tuyên giáo"),
        (
            "Ngoài việc bố trí nguồn lực, KL901 còn giao Ban cán sự đảng Chính phủ nhiệm vụ gì?",
            "Ban cán sự đảng Chính phủ",
        ),
        ("Ban Tuyên giáo Trung ương có nhiệm vụ gì", "Ban Tuyên giáo Trung ương"),  # no "giao" to anyone
        ("the con cac tinh uy, thanh uy thi kl901 yeu cau lam gi", "cac tinh uy, thanh uy"),  # turning to X
        ("Hỏi KL901 thì Đảng đoàn Quốc hội được phân công nhiệm vụ gì", "Đảng đoàn Quốc hội"),
        ("the con KL901 thi giao cac tinh uy, thanh uy lam j", "cac tinh uy, thanh uy"),  # to whom it gives
        ("ben dang doan quoc hoi phai lam j theo KL901", "dang doan quoc hoi"),  # "bên X": X's side
        ("KL901 bắt người đứng đầu phải làm gì", "người đứng đầu"),
        ("tỉnh uỷ yêu cầu chi bộ phải làm gì", "chi bộ"),  # whose duty follows the verb of requiring
        ("khi xây dựng kế hoạch thì tỉnh uỷ lưu ý phải chú trọng gì", ""),  # who requires, not whose duty
        ("KL901 đặt ra yêu cầu gì đối với người đứng đầu trong văn hoá đọc?", "người đứng đầu"),
        ("Ai phải làm gì trước 30/4", ""),
        ("kl901 noi nguoi dung dau co quan phai lam gi", "nguoi dung dau co quan"),  # not "nói người …"
        ("UBND tỉnh có nhiệm vụ j trong kế hoạch 27?", "UBND tỉnh"),  # "j" is no Vietnamese word: "gì"
        ("Theo KL901 thì Bộ Văn hoá phải làm những việc j?", "Bộ Văn hoá"),
        ("Cơ quan nào có trách nhiệm hướng dẫn", ""),
        ("trường tôi xây dựng kế hoạch thực hiện KL901 thì cần chú trọng những gì", ""),  # a scene, no body
        ("Bộ trưởng trong phạm vi nhiệm vụ của mình quy định chi tiết", ""),  # a statement, no question
        # "X có trách nhiệm gì đối với Y": X has it; "có yêu cầu gì đối với Y": Y is asked of
        ("Người đứng đầu cơ quan có trách nhiệm gì đối với nhiệm vụ này?", "Người đứng đầu cơ quan"),
        ("KL901 có yêu cầu gì đối với Bộ Văn hoá", "Bộ Văn hoá"),
        ("Trách nhiệm của Bộ Văn hoá về thư viện số được xác định như thế nào?", "Bộ Văn hoá"),
        ("theo KL901 Bộ Văn hoá với Bộ Tài chính được giao làm gì", "Bộ Văn hoá với Bộ Tài chính"),  # bare "theo"
    ],
)
def test_whose_duty_is_asked(question, actor):
    assert understand(question).actor == actor


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("Kết luận 901 chỉ ra những hạn chế, yếu kém nào sau 5 năm thực hiện?", "han che yeu kem"),
        ("Kế hoạch 27 đặt mục tiêu tổng quát là gì vậy?", "muc tieu tong quat"),
        ("KL901 đề ra những giải pháp gì", ""),  # only the kind of answer
        ("KL901 gắn với nghị quyết nào nữa", ""),  # a text's kind is no noun asked about
        ("kl901 noi gi ve quyen tac gia, an toan du lieu", "quyen tac gia an toan du lieu"),
        ("Để phát triển văn hoá đọc, KL901 đề ra những giải pháp gì?", "phat trien van hoa doc"),
        # "còn X thì bao nhiêu Y": X is where, Y what is counted
        ("Thế còn tầm nhìn 2035 của KL901 thì có bao nhiêu thư viện số cấp xã ạ?", "thu vien"),
        ("còn tốc độ số hoá tài liệu, sách báo thì KL901 đặt bao nhiêu?", "toc do so hoa tai lieu sach bao"),
    ],
)
def test_the_noun_a_question_asks_about(question, focus):
    assert understand(question).focus == focus


def test_a_noun_saying_only_what_kind_of_answer_is_wanted():
    assert understand("KL901 đề ra những giải pháp gì?").answer_kind == "giai phap"
    assert understand("KL901 chỉ ra những hạn chế nào?").answer_kind == ""


def test_a_bare_year_gets_the_word_the_texts_write_before_it():
    assert understand("muc tieu den 2030 la bn % GDP").text == "muc tieu den nam 2030 la bao nhieu % GDP"
    assert understand("mục tiêu từ 2025 đến 2030 là gì").text == "mục tiêu từ năm 2025 đến năm 2030 là gì"
    assert understand("hạn trước 30/4/2030").text == "hạn trước 30/4/2030"


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("mục tiêu về AI là gì", "mục tiêu về trí tuệ nhân tạo là gì"),
        ("muc tieu 2030 ve ai la gi", "muc tieu 2030 ve tri tue nhan tao la gi"),  # chat lowers the acronym
        ("ung dung ai trong y te the nao", "ung dung tri tue nhan tao trong y te the nao"),
        ("ai la gi", "tri tue nhan tao la gi"),
        ("bai bao noi ve ai", "bai bao noi ve ai"),  # about whom: nothing else is asked
        ("ai ky ket luan", "ai ky ket luan"),
        ("AI KÝ KẾT LUẬN NÀY", "ai ký kết luận này"),  # a message in capitals: the question word
    ],
)
def test_ai_is_the_acronym_where_a_noun_stands(question, text):
    assert understand(question).text == text


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("nq noi du leiu la gi", "nq noi du lieu la gi"),  # two letters typed in the wrong order
        ("thu veinj so", "thu veinj so"),  # no single swap makes a syllable: as typed
        (
            "chỉ số kpi, data và robot",
            "chỉ số kpi, dữ liệu và robot",
        ),  # no swap in foreign words; "data" is read in Vietnamese
    ],
)
def test_swapped_letters_are_put_back_when_one_swap_makes_a_syllable(question, text):
    assert understand(question).text == text


def test_what_limitations_or_solutions_are_asked_about():
    assert understand("KL901 đánh giá hạn chế gì về công tác số hoá sau 5 năm thực hiện?").focus == "so hoa"
    assert understand("KL901 có giải pháp nào đối với thư viện cơ sở").focus == "thu vien co so"


def test_the_noun_a_question_opens_with_before_where_it_stands():
    assert understand("muc tieu tong quat trong ke hoach cua tinh uy ve KL901 la gi").focus == "muc tieu tong quat"
    assert understand("kế hoạch của tỉnh uỷ về KL901 là gì").focus == ""  # a text's kind is no topic


def test_a_condition_asked_with_khi_nao_is_no_date():
    reading = understand("Theo KL901, thư viện được miễn trừ trách nhiệm khi nào?")
    assert reading.condition and reading.intent != "duty"  # exemption from liability is no duty
    assert not understand("KL901 được ban hành khi nào").condition  # an event: its date


def test_what_a_question_turns_to():
    assert understand("còn về AI thì mục tiêu 2030 ntn").focus == "tri tue nhan tao"
    assert understand("còn năm 2031 thì kết nối bao nhiêu % xã").focus != "nam 2031"  # a year is no topic
    assert understand("the con kl901 thi ban tuyen giao tw lam gi").actor == "ban tuyen giao tw"


def test_the_scene_a_question_sets():
    assert understand("kl901 danh gia sau 5 nam thuc hien co nhung han che gi").frame == "sau 5 nam thuc hien"
    assert understand("Theo đánh giá của KL901, văn hoá đọc thế nào?").frame == "Theo đánh giá của"
    assert understand("KL901 yêu cầu gì").frame == ""


def test_what_a_why_question_takes_as_said():
    assert (
        understand("Vì sao KL901 lại bãi bỏ kế hoạch 27 vậy?").premise == "bãi bỏ"
    )  # the texts named are resolved apart
    assert understand("vi sao phai phat trien thu vien so").premise == "phai phat trien thu vien so"
    assert understand("KL901 yêu cầu gì").premise == ""
    assert understand("Đề nghị giải thích lý do KL901 bãi bỏ kế hoạch 27.").premise == "Đề nghị bãi bỏ ."


def test_a_term_the_texts_are_asked_to_define():
    assert understand("Các văn bản định nghĩa khái niệm “thư viện số mở” như thế nào?").defines == "thu vien so mo"
    assert understand("thư viện số là gì").defines == "thu vien so"
    # how a measure is computed is said only where it is defined, not where its value is given
    assert understand("chỉ số TFP được tính như thế nào vậy ạ?").defines == "chi so tfp"
    assert understand("NQ 12 yêu cầu tính thế nào").defines == ""


def test_what_a_text_regards_something_as_is_about_that_thing():
    assert understand("KL901 nói thư viện số sẽ được coi là gì").focus == "thu vien so"
    assert understand("du lieu duoc xem la gi").focus == "du lieu"


@pytest.mark.parametrize(
    ("question", "text"),
    [
        ("KL901 ưu tiên những thành tựu nào vậy, nói cụ thể giúp mình", "Kết luận 901 ưu tiên những thành tựu nào"),
        ("han quan triet la khi nao giup em voi", "han quan triet la khi nao"),
        ("Chi bộ em đang họp, anh em hỏi KL901 giao ai làm gì, ad trả lời giúp với", "Kết luận 901 giao ai làm gì"),
        ("hoi nong dan xa toi hoi kl901 noi j ve thu vien", "ket luan 901 noi gi ve thu vien"),  # the asker's body
        ("mọi người thắc mắc là hạn quán triệt là ngày nào", "hạn quán triệt là ngày nào"),
        ("vay den 2030 co bn dn so", "den nam 2030 co bao nhieu doanh nghiep so"),  # "vậy" opens; "dn"
        ("2030 thì VN vào nhóm mấy nước", "2030 thì Việt Nam vào nhóm mấy nước"),
        ("KL901 nói gì về hỗ trợ", "Kết luận 901 nói gì về hỗ trợ"),  # "hỗ trợ" is what is asked about
    ],
)
def test_requests_and_questions_passed_on_are_no_part_of_the_question(question, text):
    assert understand(question).text == text


def test_everyday_words_are_written_as_the_texts_write_them():
    assert understand("toc do doi moi may moc dat bao nhieu").text == "toc do doi moi thiet bi dat bao nhieu"
    assert understand("Mục tiêu chung của KH27 là gì").text.startswith("mục tiêu tổng quát của")
    assert understand("KL901 muốn có mấy công ty số").text.endswith("mấy doanh nghiệp số")
    assert "đô thị thông minh" in understand("KH27 có nhắc thành phố thông minh không").text
    assert understand("bài trên báo Hoà Sơn về KH27 đăng lúc mấy giờ").text.startswith("bài báo Hoà Sơn")


def test_when_a_text_was_issued_or_came_out():
    assert understand("Bộ Chính trị ban hành KL901 về thư viện số vào ngày tháng năm nào?").fields == ("issued",)
    assert understand("kl901 ra doi khi nao").fields == ("issued",)
    assert understand("NQ 12 la cua hoi nghi TW lan thu may vay?").fields == ("session",)
    # a scene set by the text's coming out, then another question
    assert understand("Sau khi KL901 ra đời, đến năm 2031 có bao nhiêu thư viện số?").intent == "figure"
    assert understand("bài báo về KH27 do ai viết").fields == ("author",)
    assert not understand("KL901 có kêu gọi người Việt Nam ở nước ngoài tham gia không").fields  # no "người viết"


def test_the_acronym_is_never_read_as_who():
    understanding = understand("AI là gì")
    assert (understanding.role, understanding.defines) == ("", "tri tue nhan tao")


def test_the_verb_whose_objects_are_listed():
    assert understand("Kế hoạch 27 hướng tới xây dựng những gì về thư viện?").listed == "xay dung"
    assert understand("KL901 gồm những gì").listed == ""


@pytest.mark.parametrize(
    ("question", "role"),
    [
        ("PHÓ TRƯỞNG BAN CHỈ ĐẠO THEO KL901 LÀ AI", "phó trưởng ban chỉ đạo"),  # capitals lowered
        ("Bí thư Tỉnh uỷ Hoà Sơn hiện nay là ai", "Bí thư Tỉnh uỷ Hoà Sơn"),
        ("ai lam truong ban chi dao cua kl901", "truong ban chi dao"),
        ("hoi dong thu vien so theo kl901 do ai lam chu tich", "chu tich"),
        ("Ai phải xây dựng kế hoạch?", ""),
        ("Ai giữ cương vị Trưởng ban chỉ đạo theo KL901?", "Trưởng ban chỉ đạo"),  # the post, not "cương vị"
        ("Những đồng chí nào được phân công làm Phó Trưởng ban chỉ đạo?", "Phó Trưởng ban chỉ đạo"),
        # "là đồng chí nào" asks who as "là ai" does; "theo KL901 thì" only frames it
        ("theo KL901 thi truong ban chi dao la dong chi nao", "truong ban chi dao"),
    ],
)
def test_the_role_whose_holder_is_asked(question, role):
    assert understand(question).role == role


@pytest.mark.parametrize(
    ("question", "actor"),
    [
        ("ủy ban kiểm tra tỉnh uỷ giám sát việc thực hiện KL901 ntn ạ", "ủy ban kiểm tra"),
        ("Theo KL901, Hội đồng thư viện quốc gia làm những gì?", "Hội đồng thư viện"),
        ("so nguoi doc sach tren mot van dan nam 2030", ""),  # unmarked "so" is "số" as often as "Sở"
        ("ban co biet kl901 khong", ""),  # nor "ban" "bạn"
        ("số lượng tài liệu số hoá tăng bao nhiêu mỗi năm", ""),  # "số" is no "sở"
        ("bo van hoa trien khai KL901 cu the ra sao", "bo van hoa trien"),  # a ministry, unmarked
        ("bo qua thi sao", ""),  # "bỏ"
        ("Sở Văn hoá phải làm gì", "Sở Văn hoá"),
        ("Kinh phí hoạt động của Hội đồng thư viện quốc gia là bao nhiêu?", "Hội đồng thư viện"),
    ],
)
def test_a_body_the_question_opens_with(question, actor):
    assert understand(question).actor == actor


def test_named_documents():
    assert named_documents("nq52 ve cach mang") == [NamedDocument("nq", 52, "Nghị quyết 52")]
    assert named_documents("theo 20-NQ/TW")[0].number == 20
    assert named_documents("nghi quyet 20 cua tinh quang ngai")[0].owner == "quang ngai"
    assert named_documents("Nghị quyết 20, cơ quan nào theo dõi")[0].owner == ""
    assert named_documents("kế hoạch 2025 và tăng 3% ngân sách") == []


@pytest.mark.parametrize(
    ("question", "owner"),
    [
        ("nghi quyet 20 cua tinh quang ngai noi ve van de gi", "quang ngai"),
        ("Kết luận 5 của Tỉnh ủy Thừa Thiên Huế", "thua thien hue"),
        ("kl 5 cua thanh pho ho chi minh co gi moi", "ho chi minh"),
        ("Nghị quyết 8 của huyện Sơn Tịnh nói gì", "son tinh"),  # capitals make a district a name
        # "của tỉnh" followed by the rest of the question, marks or not, names no place
        ("han chot quan triet KL12 cua tinh la ngay nao vay ad", ""),
        ("Kết luận 12 của tỉnh có gì mới", ""),
        ("nq 12 cua tinh minh thi sao", ""),
        ("NGHỊ QUYẾT 8 CỦA HUYỆN LÀ GÌ", ""),
    ],
)
def test_a_place_named_as_the_author_is_a_place(question, owner):
    assert named_documents(question)[0].owner == owner


def test_provinces_a_question_and_a_text_mention():
    assert provinces_in("so voi Da Nang thi ke hoach cua Quang Nam khac gi") == {"da nang", "quang nam"}
    # a text is read with its marks and capitals: "đa năng", "Việt Nam định hướng" name no province
    written = provinces_written("Máy đa năng. Việt Nam định hướng phát triển; Tỉnh ủy Quảng Nam, Thanh Hoá.")
    assert written == {"quang nam", "thanh hoa"}


@pytest.mark.parametrize(
    ("question", "term"),
    [
        ("kinh te tuan hoan la gi vay ad", "kinh te tuan hoan"),
        ("ĐỌC SÁCH SỐ LÀ GÌ Ạ", "doc sach so"),
        ("thu vien so trong kl901 la cong nghe gi", "thu vien so"),
        ("Văn hoá đọc hiểu như thế nào cho đúng ạ?", "van hoa doc"),
        ("nhiệm vụ của Ban Tuyên giáo là gì", ""),  # asks its duties
        ("KL901 coi văn hoá đọc là gì", ""),  # how the text regards it
        ("phong trào đọc sách là như thế nào, triển khai cho ai", ""),
    ],
)
def test_the_term_whose_meaning_is_asked(question, term):
    assert understand(question).defines == term


def test_what_implementing_a_text_achieved_is_asked():
    assert understand("Kết quả thực hiện KL901 đến nay đạt được những gì?").results
    assert not understand("Ai có trách nhiệm theo dõi, đánh giá kết quả thực hiện KL901?").results
    assert not understand("KL901 yêu cầu báo cáo kết quả thực hiện khi nào?").results
    assert not understand(
        "Theo KL901, cơ quan nào chủ trì sơ kết và báo cáo Bộ Chính trị, Ban Bí thư về kết quả thực hiện?"
    ).results
    # what happened after the text: "đã … chưa / rồi"
    assert understand("Ban Chỉ đạo theo KL901 đã họp phiên đầu tiên chưa?").results
    assert understand("quốc hội đã thông qua luật nào để thể chế hoá KL901 rồi?").results
    assert understand("kết quả sơ kết 1 năm thực hiện KL901 thế nào").results
    assert understand("sau 5 năm làm KL901 thì số thư viện số thực tế đạt bao nhiêu rồi").results
    assert understand("thư viện số theo KL901 thực tế được bao nhiêu xã").results
    # the one text named is the one assessing: what it says, not later results
    assert not understand("KL901 đánh giá thư viện số đã thực sự phổ biến chưa").results
    assert understand("KL901 đánh giá sau 5 năm thực hiện NQ 12 thì thư viện số thực tế được bao nhiêu xã").results
    # "kết quả" alone is a noun: research outputs, not what implementing the text achieved
    assert not understand("Theo KL901, kết quả, sản phẩm số hoá cần được sử dụng như thế nào?").results
    # what the results serve as is a rule about them
    assert not understand("Theo KL901, kết quả thực hiện nhiệm vụ thư viện số của đơn vị được dùng làm gì?").results
    assert not understand("Kết quả thực hiện KL901 phải được báo cáo Bộ Chính trị bao lâu một lần?").results


def test_the_year_whose_achievements_are_asked():
    assert understand("Năm 2025 tỉnh đã đạt được kết quả gì rồi").achieved_in == 2025
    assert understand("Năm 2025 phải đạt bao nhiêu %").achieved_in == 0  # a target
    assert understand("KL901 ngày 12/02/2030 đã đạt được gì").achieved_in == 0  # a date, not a year asked


def test_a_province_is_named_back_as_it_is_written():
    assert NamedDocument("nq", 20, "Nghị quyết 20", "quang ngai").display() == "Nghị quyết 20 của Quảng Ngãi"
    assert province_at("thua thien hue co gi") == "thua thien hue" and province_at("la ngay nao") == ""


def test_named_documents_resolve_against_the_catalogue():
    refs = DocumentReferences(
        [
            (1, "12-NQ/TW", "Nghị quyết số 12-NQ/TW về đất đai nghị quyết Ban Chấp hành Trung ương"),
            (2, "", "Kế hoạch thực hiện Nghị quyết số 12-NQ/TW kế hoạch Tỉnh ủy Quảng Nam"),
        ],
        {1: "nghị quyết", 2: "kế hoạch"},
    )
    assert refs.resolve(NamedDocument("nq", 12, "Nghị quyết 12")) == {1, 2}
    assert refs.resolve(NamedDocument("nq", 52, "Nghị quyết 52")) == set()
    assert refs.resolve(NamedDocument("nq", 12, "Nghị quyết 12", "quang ngai")) == set()
    assert refs.kind_scope("Kế hoạch có nói gì về đất đai") == {2}
    assert refs.kind_scope("ai xây dựng kế hoạch") == set()


@pytest.mark.parametrize(
    ("question", "scope"),
    [
        ("bài báo về kế hoạch của tỉnh có nhắc đến đất đai ko", {3}),
        ("bai viet co noi gi ve dat dai", {3}),
        ("Trong bài báo, đất đai được nói thế nào?", {3}),
        ("đất đai có được nhắc trong bài báo không", {3}),
        ("còn kế hoạch thì giao ai thu hồi đất", {2, 3}),
        ("huyện mình thì kế hoạch nói gì về đất đai", {2, 3}),
        # the kind as an action's object, or with a number, is no reference by kind
        ("xây dựng kế hoạch thực hiện có những bước nào", set()),
        ("kế hoạch 2030 có gì", set()),
        ("kết luận nói gì về đất đai", set()),  # no text of that kind: no scope
    ],
)
def test_a_text_named_by_its_kind(question, scope):
    refs = DocumentReferences(
        [
            (1, "12-NQ/TW", "Nghị quyết số 12-NQ/TW về đất đai"),
            (2, "", "Kế hoạch thực hiện Nghị quyết số 12-NQ/TW"),
            (3, "", "Tỉnh đẩy mạnh giao đất"),
        ],
        {1: "nghị quyết", 2: "kế hoạch", 3: "bài báo về Kế hoạch thực hiện Nghị quyết số 12-NQ/TW"},
    )
    assert refs.kind_scope(question) == scope


def test_metadata_from_header_and_signature():
    text = (
        "BAN CHẤP HÀNH TRUNG ƯƠNG\nSố: 12-NQ/TW\nHà Nội, ngày 05 tháng 3 năm 2020\n\nNGHỊ QUYẾT\n"
        "HỘI NGHỊ LẦN THỨ BẢY BAN CHẤP HÀNH TRUNG ƯƠNG ĐẢNG KHOÁ XII\n\nNội dung.\n\n"
        "T/M BAN CHẤP HÀNH TRUNG ƯƠNG\nTỔNG BÍ THƯ\n(Đã ký)\nNguyễn Văn An\n\n"
        "Nơi nhận:\n- Các tỉnh uỷ, thành uỷ,\n- Các ban đảng,\n- Lưu Văn phòng Trung ương Đảng.\n"
    )
    meta = parse_metadata("Nghị quyết số 12-NQ/TW", "12-NQ/TW", "", "", "", text)
    assert meta.recipients is not None and meta.recipients.value == "các tỉnh uỷ, thành uỷ; các ban đảng"
    assert meta.issued.value == "2020-03-05" and meta.place.value == "Hà Nội"
    assert meta.session.value.lower().startswith("hội nghị lần thứ bảy")
    assert meta.signer.value == "Nguyễn Văn An" and meta.signed_for.value.lower() == "ban chấp hành trung ương"
    column = parse_metadata("t", "", "", "", "", "", "Báo Hoà Sơn, chuyên mục Văn hoá, 05/03/2030 08:00").column
    assert column is not None and column.value == "Văn hoá"
    posted = parse_metadata("t", "", "", "", "", "", "Báo Hoà Sơn, chuyên mục Văn hoá, 05/03/2030 08:00").published
    assert posted is not None and posted.value == "08:00 ngày 5/3/2030"
    assert parse_metadata("t", "", "", "", "", "", "Báo Hoà Sơn, 05/03/2030").published is None
    byline = parse_metadata("t", "", "", "Báo Hoà Sơn (T.Lan)", "", "").author
    assert byline is not None and byline.value == "T.Lan" and byline.line == "Báo Hoà Sơn (T.Lan)"
    assert parse_metadata("t", "", "", "Ban Chấp hành Trung ương (khoá XI)", "", "").author is None
    behalf = parse_metadata("t", "", "", "", "", "Thay mặt Bộ Chính trị, Tổng Bí thư Lê Văn B đã ký ban hành.")
    assert behalf.signer.value == "Tổng Bí thư Lê Văn B" and behalf.signed_for.value == "Bộ Chính trị"


def test_furniture():
    assert is_furniture("Trân trọng giới thiệu toàn văn Kết luận số 5-KL/TW:")
    assert announces_signing("Thay mặt Ban Bí thư, đồng chí Lê Văn B đã ký ban hành Kết luận số 5-KL/TW.")
    assert not announces_signing("Các cấp ủy ban hành kế hoạch thực hiện trước ngày 30/4.")
    assert is_furniture("Nơi nhận:")
    assert is_furniture("- Các tỉnh uỷ, thành uỷ,", after_distribution=True)
    assert is_furniture("T/M BỘ CHÍNH TRỊ (Đã ký) Nguyễn Văn An")
    assert is_furniture("Số: 12-NQ/TW")
    assert not is_furniture("Các cấp ủy xây dựng kế hoạch trước ngày 30/4/2024.")


def test_what_a_question_asks_about_the_texts_it_names():
    """Once the named texts are resolved, their names are no part of what a passage must cover."""
    assert understand("ngay cuoi cung quan triet ket luan 69").unnamed == "ngay cuoi cung quan triet"
    assert understand("Thời hạn quán triệt Kết luận số 69-KL/TW là khi nào").unnamed == "Thời hạn quán triệt là khi nào"
    both = understand("kl69 danh gia sau 10 nam thuc hien nq20 co nhung han che gi")
    assert both.unnamed == "danh gia sau 10 nam thuc hien co nhung han che gi"
    assert understand("thời hạn nộp báo cáo").unnamed == "thời hạn nộp báo cáo"


def test_every_particular_asked_in_the_order_asked():
    assert understand("Kết luận 5 ban hành ngày nào, cơ quan nào ban hành?").fields == ("issued", "issuer")
    two = understand("kl5 la van ban cua BCT hay Ban Bi thu, ky thay mat ai")
    assert two.fields == ("issuer", "signer") and two.metadata == "issuer"
    assert understand("ai ký ban hành nghị quyết 12").fields == ("signer",)
    # "ký ban hành" asks who signed only with "ai"; past "và" the same verb asks one more thing
    assert understand("Nghị quyết 12 được ký ban hành tại đâu và vào ngày tháng năm nào?").fields == ("place", "issued")
    assert understand("KL5 được ký ban hành ngày nào").fields == ("issued",)
    assert understand("Phần đầu Nghị quyết 12 ghi địa danh và ngày tháng ban hành thế nào?").fields == (
        "place",
        "issued",
    )
    assert understand("Đồng chí Lê Văn B ký ban hành Nghị quyết 12 năm 2019 với cương vị gì?").fields == ("signer",)


def test_a_question_about_a_text_implementing_the_named_one():
    assert understand("kế hoạch của tỉnh uỷ thực hiện KL5 đặt mục tiêu gì").implementing
    assert understand("hạn quán triệt KL5 trong tỉnh là khi nào").implementing
    assert not understand("các tỉnh uỷ phải làm gì để thực hiện KL5").implementing
    # the text named first is the one implementing the next: the question is about it
    named_first = understand("Bộ Chính trị ban hành KL5 về tiếp tục thực hiện NQ 12 vào ngày tháng năm nào?")
    assert named_first.fields == ("issued",) and not named_first.implementing
    assert understand("KL5 và kế hoạch thực hiện NQ 12 ban hành ngày nào").implementing
    # a conclusion carrying a resolution on is called by what it carries on
    assert understand(
        "Tại mục tổ chức thực hiện của kết luận về tiếp tục thực hiện NQ 12, ai phải làm gì?"
    ).implementing
    assert not understand("KL5 về tiếp tục thực hiện NQ 12 yêu cầu những gì?").implementing
    # a text's own closing section "Tổ chức thực hiện" is no text implementing it
    assert not understand("Bộ Văn hoá làm gì trong tổ chức thực hiện NQ 12?").implementing
    assert understand("kế hoạch tổ chức thực hiện KL5 của tỉnh uỷ đặt mục tiêu gì").implementing


def test_an_act_a_text_requires_is_no_particular_of_the_text():
    """ "KL5 yêu cầu ban hành quy chế trước ngày, tháng, năm nào" asks a deadline, not when KL5
    itself was issued."""
    reading = understand("KL5 yêu cầu ban hành quy chế thư viện trước ngày, tháng, năm nào?")
    assert reading.intent == "deadline" and not reading.fields
    assert understand("KL5 được ban hành vào ngày tháng năm nào").fields == ("issued",)


def test_may_before_another_question_word_is_a_plural():
    """ "mấy X … nói sao": chat's plural ("the X"), not "how many"; units are still counted."""
    reading = understand("còn mấy trường đh trọng điểm thì KL901 nói sao")
    assert reading.intent != "figure" and "các trường đại học" in reading.text
    assert understand("KL901 có mấy mục tiêu").intent == "figure"
    assert "mấy năm" in understand("mấy năm thì sơ kết một lần, như thế nào").text


def test_how_bears_no_noun():
    assert understand("các thư viện thì KL901 nói thế nào").focus != "the"  # "thế nào" bears no noun


def test_capitalised_shorthand_for_the_province_s_plan():
    assert understand("KH TU co nhac toi thu vien so ko").text.startswith("ke hoach Tinh uy")
    assert understand("theo KH của TU thì hạn là khi nào").text == "theo kế hoạch của Tỉnh ủy thì hạn là khi nào"
    for kept in ("Kế hoạch 27-KH/TU ban hành ngày nào", "KH&CN là gì", "tu chu tai chinh"):
        assert understand(kept).text == kept


def test_who_is_given_a_role_asks_for_its_holder():
    reading = understand("Theo KL901, ai được giao làm Phó Trưởng ban thường trực Ban Chỉ đạo?")
    assert reading.intent != "duty" and reading.role == "Phó Trưởng ban thường trực Ban Chỉ đạo"
    assert understand("ai được giao làm gì").intent == "duty"  # whose duty, no role


def test_a_particle_ends_what_a_question_is_about():
    assert understand("kl901 noi j ve thu vien so vay, thu vien so duoc coi la cai gi").focus == "thu vien so"


def test_whose_text_is_asked_right_after_the_text():
    assert understand("KL901 là của ai").fields == ("issuer",)
    assert understand("kế hoạch này do cơ quan nào ban hành").fields == ("issuer",)
    # of something the text speaks of, not of the text
    assert not understand("Theo KL901 thì sách số hoá thuộc quyền sở hữu của ai").fields
    assert not understand("nhiệm vụ số hoá do cơ quan nào chủ trì theo KL901").fields


def test_the_head_noun_when_chat_drops_the_preposition():
    assert understand("muc tieu tong quat ke hoach cua tinh uy thuc hien kl901 la j").focus == "muc tieu tong quat"


def test_greeting_the_bot_before_naming_a_text_asks_no_opinion():
    assert understand("chào bot nq57 muc tieu kinh te so den 2030 chiem bao nhieu phan tram").intent == "figure"
    assert understand("bot nghĩ sao về KL901").small_talk == "opinion"


def test_a_question_turning_to_another_text_asks_about_that_one():
    reading = understand("KL901 dành tối thiểu 2% chi thường xuyên rồi, còn KH27 thì sao")
    assert [n.label for n in reading.named] == ["Kế hoạch 27"]
    assert len(understand("KL901 và KH27 khác nhau thế nào").named) == 2


def test_when_a_piece_ran_a_deadline_by_a_milestone_and_a_teacher_s_opinion():
    assert understand("Bài báo về KH27 được đăng vào ngày giờ nào?").fields == ("published",)
    assert understand("các cấp phải xong việc quán triệt KL901 trước mốc nào?").intent == "deadline"
    assert understand("Theo thầy, KL901 có quan trọng hơn KH27 không?").small_talk == "opinion"
    assert understand("Theo ban tuyên giáo, KL901 yêu cầu gì").intent != "small_talk"


def test_english_words_in_a_vietnamese_question_are_read_in_vietnamese():
    assert understand("kl901 muốn biến data thành cái gì").text == "Kết luận 901 muốn biến dữ liệu thành cái gì"
    assert understand("von cho startup theo kl901").text.startswith("von cho khoi nghiep")
    english = "When must units finish their implementation plans?"
    assert understand(english).text == english  # an English question is read as one
    assert understand("KL901 muốn VN lọt top mấy ĐNA").text.endswith("lọt nhóm mấy ĐNA")


def test_a_text_named_with_the_year_it_came_out_and_a_rumour_to_confirm():
    assert not understand("còn KL901 hồi 2030 thì chỉ tiêu là mấy người").years
    reading = understand("nghe đồn KL901 đòi giải thể mấy thư viện hoạt động kém, thật ko")
    assert "các thư viện" in reading.text and reading.intent == "yesno"


def test_which_paper_and_which_writer():
    reading = understand("Bài báo về KH27 được đăng trên tờ báo nào và do tác giả nào thực hiện?")
    assert set(reading.fields) == {"issuer", "author"}


def test_a_question_in_two_parts():
    from bot.core.answers.understanding import compound_parts

    assert compound_parts("Theo KL901, Ban Chỉ đạo do ai làm Trưởng Ban, và Hội đồng gồm những ai?") == [
        "Theo KL901, Ban Chỉ đạo do ai làm Trưởng Ban",
        "Theo Kết luận 901, Hội đồng gồm những ai?",
    ]
    for one in ("KL901 ban hành ngày nào, cơ quan nào ban hành", "Ban Tuyên giáo và Mặt trận phải làm gì"):
        assert compound_parts(one) == [one]
    pasted = "Hạn quán triệt KL901 là khi nào? " * 20  # a pasted or repeated message is read whole
    assert compound_parts(pasted, 500) == [pasted]
