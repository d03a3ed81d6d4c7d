"""Vietnamese message templates, /help per role, and the date and length helpers they need.

Every user-facing sentence of the conversation lives here, so the wording is reviewed in one place
and stays identical on Telegram, Zalo and the web chat. Texts are short (they are read on phones),
address the user as "đồng chí"; dates and times are formatted by :mod:`bot.core.clock`.
"""

from __future__ import annotations

from datetime import date

from bot.core import clock
from knowledge.text import shorten as shorten  # one definition; handlers reach it as texts.shorten

# Longest text of one message we compose; each adapter may split further for its platform.
MESSAGE_LIMIT = 3500
# A button label that fits one line on a phone; longer choices (people, units, assignments) may be
# written out in the text by an adapter whose buttons would cut them.
BUTTON_CHARS = 40
CHOICE_CHARS = 60

SORRY = "Xin lỗi, hệ thống đang gặp sự cố khi xử lý yêu cầu. Đồng chí vui lòng thử lại sau ít phút."
CHOOSE_NUMBER = "Đồng chí chọn một số từ 1 đến {count}."
UNKNOWN_COMMAND = "Không có lệnh /{name}. Gõ /help để xem các lệnh."
EXPIRED = "Lựa chọn này đã hết hiệu lực. Gõ /help để xem các lệnh."
CANCELLED = "Đã hủy thao tác."
NOTHING_TO_CANCEL = "Không có thao tác nào đang thực hiện."
BUSY = "Tôi đang xử lý các tin nhắn trước của đồng chí, vui lòng chờ trong giây lát rồi gửi tiếp."
EMPTY = "Đồng chí hãy gõ câu hỏi hoặc một lệnh (gõ /help để xem các lệnh)."
NOT_REGISTERED = "Đồng chí chưa đăng ký sử dụng. Gõ /start để liên kết tài khoản với danh sách cán bộ."
PENDING_APPROVAL = "Đăng ký của đồng chí đang chờ cán bộ tuyên giáo duyệt."
CONTACT_NOT_OWN = "Vui lòng bấm nút «Chia sẻ số điện thoại» để gửi số điện thoại của chính mình."
UNSUPPORTED = "Xin lỗi, trợ lý chỉ đọc được tin nhắn chữ. Đồng chí vui lòng gõ câu hỏi."

WELCOME_UNKNOWN = (
    "Chào đồng chí! Đây là trợ lý quán triệt Kết luận 69-KL/TW và Nghị quyết 57-NQ/TW.\n"
    "Để nhận văn bản và xác nhận đã quán triệt, đồng chí cần liên kết tài khoản:\n"
    "{ways}\n"
    "Đồng chí vẫn có thể gõ câu hỏi về nội dung văn bản bất cứ lúc nào."
)
WAY_CODE = "• gõ mã mời do cán bộ tuyên giáo cung cấp;"
WAY_PHONE = "• chia sẻ số điện thoại đã đăng ký trong danh sách cán bộ;"
WAY_SELF = "• hoặc tự đăng ký (họ tên, đơn vị) để được duyệt."
SHARE_PHONE = "Chia sẻ số điện thoại"
ENTER_CODE = "Nhập mã mời"
SELF_REGISTER = "Tự đăng ký"
ASK_INVITE = "Gõ mã mời của đồng chí:"
ASK_NAME = "Đồng chí vui lòng gõ họ và tên đầy đủ:"
CHOOSE_UNIT = "Chọn đơn vị của đồng chí (hoặc gõ tên đầy đủ hơn):"
ASK_UNIT = "Đồng chí công tác ở đơn vị nào? Gõ tên đơn vị (ví dụ: Huyện ủy Duy Xuyên):"
REGISTERED_PENDING = "Đã gửi đăng ký của đồng chí {name} ({unit}). Cán bộ tuyên giáo sẽ duyệt và trợ lý sẽ báo lại."
LINKED = "Đã liên kết tài khoản với đồng chí {name} ({unit})."
WELCOME_BACK = "Chào đồng chí {name}!"

STUDY_DOCUMENT = "Văn bản cần quán triệt: {document}"
STUDY_DUE = "Hạn quán triệt: {due}."
STUDY_CHECK_NOTE = "Sau khi bấm xác nhận, đồng chí trả lời vài câu hỏi ngắn."
KEY_DUTIES = "Nhiệm vụ chính:"
DOCUMENT_ORIGIN = "Nguồn: {origin}"
DOCUMENT_BUTTON = "Xem hạn chót và nhiệm vụ"
ACK_BUTTON = "Tôi đã đọc và quán triệt"
ACK_DONE = "Đã ghi nhận: đồng chí {name} đã quán triệt {document} lúc {at}."
ACK_ALREADY = "Đồng chí đã xác nhận quán triệt {document} lúc {at}."
CURATED_REPLY = "Ban Tuyên giáo trả lời câu hỏi của đồng chí «{question}»:\n{answer}"
CHECKIN_DONE = (
    "Đã điểm danh: đồng chí {name} dự hội nghị «{title}» lúc {at}. "
    "Việc học tập, quán triệt {document} của đồng chí đã được ghi nhận."
)
CHECKIN_ALREADY = "Đồng chí {name} đã điểm danh hội nghị «{title}» lúc {at}."
CHECKIN_HOW = (
    "Để điểm danh hội nghị, đồng chí quét mã QR trên màn hình hội nghị, hoặc gõ «diemdanh» và mã in dưới mã QR."
)
ACK_HINT = "Bấm «Tôi đã đọc và quán triệt» hoặc trả lời «đã quán triệt» sau khi đọc xong."
NOTHING_PENDING = "Đồng chí đã quán triệt đầy đủ các văn bản được giao. Cảm ơn đồng chí!"
PENDING_HEADER = "Đồng chí còn {count} văn bản cần quán triệt:"
MORE_PENDING = "Đồng chí còn {count} văn bản cần quán triệt (gõ /cuatoi để xem)."
CHOOSE_ACK = "Đồng chí xác nhận quán triệt văn bản nào?"
CHECK_INTRO = "Trước khi ghi nhận, đồng chí trả lời {count} câu hỏi ngắn về nội dung văn bản."
CHECK_QUESTION = "Câu {n}/{total}: {question}"
CHECK_RIGHT = "Đúng."
CHECK_WRONG = "Chưa đúng."
CHECK_WAIT = "Đồng chí đã làm chưa đạt {failed} lần. Đồng chí đọc lại văn bản, rồi làm lại bài kiểm tra từ {at}."
CHECK_SCORE = " Kết quả kiểm tra: {score}."
CHECK_FAILED = "Đồng chí trả lời đúng {score}. Chưa đạt, đồng chí đọc lại văn bản rồi thử lại."
RETRY_CHECK = "Làm lại câu hỏi"

SECTION_BUTTON = "Xem toàn văn mục"
MORE_SOURCE = "Xem thêm: {name}"
SECTION_MISSING = "Không tìm thấy đoạn văn bản này (có thể văn bản đã được cập nhật)."
NO_DOCUMENTS = "Chưa có văn bản nào trong hệ thống."
DOCUMENTS_HEADER = "Các văn bản trong hệ thống:"
NO_DEADLINES = "Chưa có mốc thời hạn nào trong các văn bản."
DEADLINES_HEADER = "Các mốc thời hạn:"
MY_DEADLINES_HEADER = "Hạn quán triệt của đồng chí:"
NO_DUTIES = "Chưa tìm thấy nhiệm vụ nào trong văn bản ghi rõ cho đơn vị của đồng chí."
DUTIES_HEADER = "Nhiệm vụ liên quan đến {unit}:"
YOUR_UNIT = "đơn vị của đồng chí"


COMPOSE_START = "Soạn thông báo: gõ nội dung cần gửi, hoặc chọn một văn bản để gửi kèm. Gõ /huy để hủy."
ASSIGN_START = "Giao quán triệt: chọn văn bản. Gõ /huy để hủy."
ASK_ATTACH = "Gửi kèm văn bản nào?"
NO_ATTACHMENT = "Không kèm văn bản"
ASK_NOTE = "Gõ lời nhắn gửi kèm văn bản, hoặc bấm «Bỏ qua»."
SKIP = "Bỏ qua"
ASK_AUDIENCE = "Gửi tới ai?"
EVERYONE = "Tất cả cán bộ"
BY_UNIT = "Chọn đơn vị"
OFFICERS_ONLY = "Chỉ cán bộ tuyên giáo"
ASK_UNITS = "Chọn đơn vị, hoặc gõ tên đơn vị (nhiều đơn vị cách nhau bằng dấu phẩy):"
UNIT_NOT_FOUND = "Không tìm thấy đơn vị «{name}». Đồng chí gõ lại tên đơn vị:"
ASK_SUBUNITS = "Gửi cả các đơn vị trực thuộc?"
YES = "Có"
NO = "Không"
ASK_REQUIRE_ACK = "Yêu cầu người nhận xác nhận đã quán triệt văn bản?"
ASK_DUE = "Hạn quán triệt (gõ ngày dạng dd/mm/yyyy hoặc chọn):"
BAD_DATE = "Ngày chưa đúng. Đồng chí gõ dạng dd/mm/yyyy, ví dụ 15/04/2025, và không trước hôm nay."
ASK_CHECK = "Có kiểm tra nhanh (2–3 câu hỏi) trước khi ghi nhận quán triệt không?"
IN_DAYS = "Sau {days} ngày ({date})"
PREVIEW_HEADER = "Xem trước tin nhắn sẽ gửi:"
PREVIEW_FOOTER = "Người nhận: {people} người ({accounts} tài khoản đã liên kết, {unlinked} người chưa liên kết)."
SEND = "Gửi"
CANCEL = "Hủy"
NO_RECIPIENTS = "Không có người nhận nào thuộc phạm vi đã chọn. Đã hủy."
BROADCAST_STARTED = "Đã bắt đầu gửi đợt #{id} tới {people} người. Tiến độ sẽ được cập nhật."
BROADCAST_CANCELLED = "Đã hủy đợt gửi #{id}."
BROADCAST_GONE = "Đợt gửi #{id} đã được xử lý trước đó."
DELIVERY_COUNTS = "đã gửi {sent}/{total}, lỗi {failed}, chặn bot {blocked}, chưa liên kết {unlinked}"
DELIVERY_WAITING = ", đang chờ {pending}"
PROGRESS = "Đợt gửi #{id}: {counts}."
FAILURE_REASONS = "Nguyên nhân lỗi chính:"
FAILURE_REASON = "• {reason} — {count}"
BLOCKED_REASON = "Người nhận đã chặn trợ lý"
PROGRESS_DONE = "Hoàn tất. "

PROGRESS_REPORT = "Tiến độ quán triệt {document} (đợt #{id}, hạn {due}):"
PROGRESS_TREE_ON = "Theo cây đơn vị ngày {date} (các đơn vị đã sắp xếp lại sau ngày đó mang tên cũ)."
PROGRESS_BAD_DATE = "Chưa hiểu ngày “{text}”. Hãy ghi như: /tiendo 30/6/2025 (hoặc /tiendo SỐ_ĐỢT 30/6/2025)."
PROGRESS_TOTAL = "Tổng: {confirmed}/{assigned} đã xác nhận ({percent}){late}, chưa xác nhận {missing}."
PROGRESS_LATE = ", trễ hạn {late}"
PROGRESS_MESSAGES = "Tin nhắn: {counts}."
ASSIGNMENT_LABEL = "#{id} {document} – hạn {due}"
NO_ASSIGNMENTS = "Chưa có đợt giao quán triệt nào."
CHOOSE_ASSIGNMENT = "Chọn đợt giao quán triệt:"
REMIND_STARTED = "Đã gửi nhắc nhở tới {count} người chưa xác nhận (đợt #{id})."
REMIND_NONE = "Tất cả đã xác nhận, không cần nhắc."
REMINDER = "Nhắc nhở: đồng chí chưa xác nhận quán triệt {document}. Hạn: {due}.\n" + ACK_HINT

ASK_PERSON = "Gõ họ tên hoặc số điện thoại của người cần đổi vai trò:"
PEOPLE_NOT_FOUND = "Không tìm thấy ai khớp với «{query}». Gõ lại:"
CHOOSE_PERSON = "Chọn người:"
ASK_ROLE = "Vai trò mới của {name} (hiện là {role}):"
ROLE_SET = "Đã đặt vai trò của {name} thành {role}."

EXPORT_READY = "Báo cáo quán triệt (Excel), lập lúc {at}."
EXPORT_ALL = "Tất cả các đợt"

REGISTRATION_NOTICE = "Có đăng ký mới chờ duyệt: {name}, đơn vị {unit} (qua {channel})."
APPROVE = "Duyệt"
REJECT = "Từ chối"
APPROVED = "Đã duyệt đăng ký của {name}."
REJECTED = "Đã từ chối đăng ký của {name}."
APPROVED_NOTICE = "Đăng ký của đồng chí đã được duyệt. Gõ /help để xem các lệnh."
REJECTED_NOTICE = "Đăng ký của đồng chí chưa được duyệt. Đồng chí liên hệ cán bộ tuyên giáo để biết thêm."

HELP_EVERYONE = (
    "Các lệnh:\n"
    "/cuatoi – văn bản đồng chí cần quán triệt\n"
    "/vanban – danh sách văn bản\n"
    "/hanchot – các mốc thời hạn\n"
    "/nhiemvu – nhiệm vụ của đơn vị mình\n"
    "/diemdanh – điểm danh hội nghị quán triệt (quét mã QR tại hội nghị)\n"
    "/huy – hủy thao tác đang làm\n"
    "{ask}\n"
    "(Trên Zalo gõ lệnh không cần dấu «/», ví dụ: cuatoi.)"
)
ASK_EXAMPLE = "Hoặc gõ câu hỏi, ví dụ: «{question}»"
ASK_ANYTHING = "Hoặc gõ câu hỏi về nội dung văn bản."
HELP_UNKNOWN = "\n".join(
    [
        "/start – đăng ký sử dụng (liên kết tài khoản)",
        "/vanban – danh sách văn bản",
        "/hanchot – các mốc thời hạn",
        "{ask}",
    ]
)
HELP_OFFICER = (
    "\n\nDành cho cán bộ tuyên giáo:\n"
    "/phatthanh – gửi thông báo, văn bản\n"
    "/giao – giao văn bản cần quán triệt\n"
    "/tiendo – tiến độ gửi và xác nhận (/tiendo 30/6/2025: theo cây đơn vị của ngày đó)\n"
    "/nhacnho – nhắc người chưa xác nhận"
)
HELP_ADMIN = (
    "\n\nDành cho quản trị viên:\n/xuatbaocao – xuất báo cáo Excel\n/vaitro – cấp hoặc bỏ quyền cán bộ tuyên giáo"
)


def help_text(role: str | None, example: str | None = None) -> str:
    """/help for the user's role: unknown users, cadres, officers (+ officer commands), admins (+ all);
    ``example`` is a question the loaded texts answer (see bot/core/chat/examples.py)."""
    ask = ASK_EXAMPLE.format(question=example) if example else ASK_ANYTHING
    if role is None:
        return HELP_UNKNOWN.format(ask=ask)
    text = HELP_EVERYONE.format(ask=ask)
    if role in ("officer", "admin"):
        text += HELP_OFFICER
    if role == "admin":
        text += HELP_ADMIN
    return text


def days_phrase(due: date, today: date) -> str:
    """How far a deadline is: "còn 5 ngày", "hạn là hôm nay", "đã quá hạn 3 ngày"."""
    days = (due - today).days
    if days > 0:
        return f"còn {days} ngày"
    if days == 0:
        return "hạn là hôm nay"
    return f"đã quá hạn {-days} ngày"


def due_phrase(due: date, today: date) -> str:
    """ "15/04/2024 (còn 5 ngày)": a deadline as every chat message shows it."""
    return f"{clock.format_date(due)} ({days_phrase(due, today)})"
