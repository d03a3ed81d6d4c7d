"""Reading a question once, before anything is retrieved: what was typed, what it asks, about what.

Cadres type the way they chat: without marks, in capitals, with particles ("vậy", "ạ", "ad ơi"),
teencode ("ko", "dc", "bn", "ntn") and the context before the question. :func:`understand` turns
that into an :class:`Understanding`:

* ``text``: the question normalised for retrieval: chat abbreviations written out (in the
  question's own style, so an unmarked question stays unmarked for the diacritic restorer),
  greetings, address words and trailing particles dropped, capitals lowered;
* ``intent``: small talk, help, metadata (who signed, when issued, which body or session, where),
  deadline, duty, figure, yes/no or content, the first that applies in that order;
* ``named``: the numbered texts the question names, resolved against the catalogue by the
  caller (:meth:`embeddings.references.DocumentReferences.resolve`);
* ``own_unit``: the asker speaks of their own unit ("đơn vị tôi", "chi bộ em", "tỉnh mình").

Every rule here is about how Vietnamese questions are phrased, never about one text's content.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable

from embeddings import glossary
from embeddings.query import FOREIGN_BELOW, vietnamese_share
from embeddings.references import NamedDocument, named_documents
from knowledge.text import FOLDED_ABBREVIATIONS, canonical_tones, fold, has_diacritics, nfc

# Chat abbreviations (folded, as typed) → (with marks, without marks).
TEENCODE: dict[str, tuple[str, str]] = {
    "ko": ("không", "khong"),
    "k": ("không", "khong"),
    "kg": ("không", "khong"),
    "khg": ("không", "khong"),
    "hok": ("không", "khong"),
    "hong": ("không", "khong"),
    "dc": ("được", "duoc"),
    "dk": ("được", "duoc"),
    "j": ("gì", "gi"),
    "bn": ("bao nhiêu", "bao nhieu"),
    "bnhieu": ("bao nhiêu", "bao nhieu"),
    "ntn": ("như thế nào", "nhu the nao"),
    "mng": ("mọi người", "moi nguoi"),
    "mn": ("mọi người", "moi nguoi"),
    "vs": ("với", "voi"),
    "ng": ("người", "nguoi"),
    "trc": ("trước", "truoc"),
    "bh": ("bao giờ", "bao gio"),
    "bjo": ("bao giờ", "bao gio"),
    "cx": ("cũng", "cung"),
    "mk": ("mình", "minh"),
    "mik": ("mình", "minh"),
    "dv": ("đơn vị", "don vi"),
    "cq": ("cơ quan", "co quan"),
    "nv": ("nhiệm vụ", "nhiem vu"),
    "tg": ("thời gian", "thoi gian"),
    "sd": ("sử dụng", "su dung"),
    "ql": ("quản lý", "quan ly"),
    "cb": ("cán bộ", "can bo"),
    "dn": ("doanh nghiệp", "doanh nghiep"),
    "dh": ("đại học", "dai hoc"),
    "vn": ("Việt Nam", "Viet Nam"),
    "e": ("em", "em"),
    "r": ("rồi", "roi"),
}
# Everyday words for what Party texts name otherwise (as typed → (with marks, without marks)):
# "thủ trưởng cơ quan" is the texts' "người đứng đầu cơ quan". Rewritten before the question is
# read, so whose duty it asks names the body as the texts do; words that only widen what a
# passage may share with the question are :data:`embeddings.query.SYNONYMS`, added at retrieval.
TEXTS_WORDING: dict[str, tuple[str, str]] = {
    "thu truong": ("người đứng đầu", "nguoi dung dau"),
    "may moc": ("thiết bị", "thiet bi"),
    "muc tieu chung": ("mục tiêu tổng quát", "muc tieu tong quat"),
    "cong ty": ("doanh nghiệp", "doanh nghiep"),
    "thanh pho thong minh": ("đô thị thông minh", "do thi thong minh"),
    "top": ("nhóm", "nhom"),  # "lọt top 3 Đông Nam Á" is the texts' "nhóm 3 nước dẫn đầu"
    # a newspaper piece is a "bài báo" in the catalogue's kinds
    "bai tren bao": ("bài báo", "bai bao"),
    "bai dang tren bao": ("bài báo", "bai bao"),
    "bai viet tren bao": ("bài báo", "bai bao"),
}
_EVERYDAY = re.compile(r"\b(?:" + "|".join(TEXTS_WORDING) + r")\b")
# One-letter abbreviations that are no Vietnamese word at all: written out even in a message
# with no other chat typing ("nhiệm vụ j").
_ALWAYS = frozenset(("j",))
# A party text named by its kind's abbreviation glued to its number ("KL69", "nq 57"): written out
# ("Kết luận 69"), as the texts themselves name it, so the words meet the texts' words.
_ABBREVIATED = re.compile(r"\b(nq|kl|ct|kh) ?(\d{1,4})\b(?![-/])", re.IGNORECASE)
_KIND_NAMES = {
    "nq": ("Nghị quyết", "nghi quyet"),
    "kl": ("Kết luận", "ket luan"),
    "ct": ("Chỉ thị", "chi thi"),
    "kh": ("Kế hoạch", "ke hoach"),
}
# A Vietnamese syllable without marks: initial consonant, one of the vowel clusters the language
# has, final consonant. Used to undo two letters typed in the wrong order ("leiu" → "lieu").
_VOWELS = (
    r"ieu|oai|oay|oeo|uay|uoi|uou|uya|uye|uyu|yeu|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ye|[aeiouy]"
)
_STRICT_SYLLABLE = re.compile(
    rf"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?(?:{_VOWELS})"
    r"(?:ch|ng|nh|[cmnpt])?$"
)
# "đến 2030": the texts write "đến năm 2030", chat drops "năm"; put back so the words meet.
_BARE_YEAR = re.compile(
    r"\b(đến|tới|trước|sau|từ|vào|den|toi|truoc|tu|vao)\s+((?:19|20)\d\d)\b(?![/\-.]\d)", re.IGNORECASE
)
# The kinds a text is named by, folded ("kết luận", "KL"), for cutting the names out of a question.
_KIND_WORDS = "nghi quyet|ket luan|chi thi|quyet dinh|ke hoach|nq|kl|ct|kh|qd"
# "AI" is artificial intelligence, "ai" the question word "who". Chat lowers the acronym, so a
# lowercase "ai" is the acronym where a noun stands: after a word that takes one ("ứng dụng AI",
# "phát triển AI"), after "về" in a question asking something else ("nói gì về AI"), or as the
# subject of "là gì". Either way it is written out, as the texts write it.
_AI = re.compile(r"\bAI\b")
_AI_NOUN = re.compile(
    r"\b(?P<before>ve|ung dung|phat trien|cong nghe|nghien cuu|linh vuc|nganh|su dung|ap dung|tich hop"
    r"|nen tang|mo hinh|he thong|chip|robot) ai\b|\bai(?= la gi\b)"
)
_AI_WORDS = ("trí tuệ nhân tạo", "tri tue nhan tao")
# Address words and particles that carry nothing; dropped at the start and the end.
_ADDRESS = r"(?:ad|admin|bot|tro ly|ban|em|anh|chi|mng|mn|moi nguoi|ca nha)"
_ASKING = (
    r"(?:(?:cho|xin|cho e|cho em|cho minh|cho toi|cho anh|cho chi|em|minh|toi)\s+"
    r"(?:hoi|hoi chut|hoi xiu|hoi ti|muon hoi)|xin hoi)\b\s*(?:chut|xiu|ti|voi|nhe|a)?\s*[,:]?\s+"
)
# ("bot ơi, …" alone opens a question too)
_LEADING = re.compile(
    rf"^(?:(?:da|vang|alo|xin chao|chao|hi|hello)\s+)?"
    rf"(?:{_ADDRESS}\s+oi\b\s*[,.!]?\s*(?:{_ASKING})?(?=\w)|{_ASKING})"
)
# A letter's salutation before the question: "Kính gửi ban biên tập,", "Thưa đồng chí,".
_SALUTATION = re.compile(r"(?:kinh gui|kinh thua|thua)(?: \w+){1,5}\s*[,:]\s+(?=\w)")
# An opening interjection: "vậy đến 2045 …", "ok, còn …".
_INTERJECTION = re.compile(r"(?:vay|ok|oke|uh|um)\b\s*[,.]?\s+(?=\w)")
# Trailing: an address ("ad ơi", "mng") or a particle ("vậy", "ạ", "nhé", "z"), as whole words.
_TRAILING = re.compile(
    rf"(?:\s*[,.]?\s*\b(?:{_ADDRESS}\s+oi|ad|admin|bot|mng|mn|moi nguoi|ca nha"
    r"|vay|va|z|v|a|ha|nhe|nha|nhi|ne|the|day|hen|nhen)\b)+\s*[?.!]*$"
)
# A request closing the message: ", nói cụ thể giúp mình", "ad trả lời giúp với", "giúp em với".
_REQUEST = re.compile(
    rf"[,.]?\s*(?:{_ADDRESS}\s+)?(?:(?:noi|tra loi|giai thich|chi|cho biet|giai dap|huong dan|tu van|ho tro|xem)"
    r"(?:\s+(?:cu the|ro|chi tiet|ky|ki|nhanh|luon))?\s+)?(?:giup|gium|dum|ho)\b"
    r"(?:\s+(?:minh|em|toi|anh|chi|voi|nhe|nha|a|ad|admin|cai))*\s*[?.!]*$"
)
# Others' question passed on: "anh em hỏi NQ57 …", "mọi người thắc mắc là …".
_PASSED_ON = re.compile(
    r"^(?:anh em|anh chi em|moi nguoi|cac dong chi|dang vien|nhieu nguoi|co nguoi|ho|chi bo|dong chi"
    r"|(?:hoi|doan|chi hoi|chi doan|chi bo|to|phong|ban|truong|xa|thon)(?: \w+){0,3} (?:toi|em|minh|chung toi))\s+"
    # ("hội nông dân xã tôi hỏi …": an organisation of the asker's passes it on)
    r"(?:(?:dang|co|cu|muon|can)\s+)?(?:hoi|thac mac|muon biet|can biet)(?:\s+(?:la|rang))?,?\s+"
)
# Small talk: the whole message is one of these (folded), once address words and particles go.
SMALL_TALK: dict[str, tuple[str, ...]] = {
    "greeting": ("xin chao", "chao", "hello", "hi", "alo", "helo", "hey", "chao buoi sang", "chao buoi chieu"),
    "thanks": ("cam on", "cam on nhieu", "cam on nhieu lam", "cam on rat nhieu", "thank", "thanks", "thank you", "tks"),
    "identity": ("la ai", "ten gi", "ten la gi", "la gi", "la nguoi hay may", "co phai nguoi that khong"),
    "bye": ("tam biet", "bye", "goodbye", "hen gap lai"),
    "ack": ("ok", "oke", "okay", "vang", "da", "uh", "u", "hieu roi", "duoc roi", "roi", "da ro", "ro roi"),
}
# Asks the assistant's own opinion or advice, which no text holds: "theo bạn", "ad thấy thế nào",
# "có nên … không" ("theo Ban Tuyên giáo" is a body, not "theo bạn").
_OPINION = re.compile(
    r"\b(?:theo (?:ban(?! (?:tuyen|chi|chap|can|kinh|bi|thuong|kiem|to|dan|noi|doi|quan|cong|so))|ad|admin|bot"
    r"|tro ly|y ban)|(?:ban|ad|admin|bot) (?:nghi(?! quyet| dinh)|thay|danh gia|nhan xet)"
    r"|^theo (?:thay|dong chi)\b(?! (?:duoc|biet|doi))|nen uu tien|quan trong hon"  # "Theo thầy, …"
    r"|y kien (?:cua )?(?:ban|ad|admin|bot)|du bao|du doan|co nen\b.+\bkhong|nen hay khong|(?:co )?kha thi(?: khong)?$|co kha thi (?:khong|chua)"
    r"|(?:lieu )?co du (?:\w+ ){0,2}khong$"
    r"|tinh kha thi)\b"
)
# Advice for oneself, read with marks ("nên" ≠ "nền"): "em nên học chứng chỉ gì", "nên làm thế nào".
# Only for the asker, and not "nên làm gì" (what one must do, which the texts say): "các cấp ủy
# nên làm gì" asks the texts what the committees must do.
_ADVICE = re.compile(
    r"^\W*(?:em|tôi|mình|chúng tôi|chúng em|đơn vị em|đơn vị tôi)\b.{0,80}?\bnên (?!làm\b)(?:\w+ ){0,4}(?:gì|nào|thế nào)\b"
)
HELP_PHRASES = (
    "lam duoc gi",
    "giup duoc gi",
    "co the lam gi",
    "hoi duoc gi",
    "hoi gi",
    "huong dan",
    "huong dan su dung",
    "su dung the nao",
    "dung the nao",
    "help",
    "tro giup",
    "giup toi",
    "giup em",
)
_TEXT_WORD_ALTERNATIVES = "van ban|nghi quyet|ket luan|chi thi|quyet dinh|ke hoach|bai bao|luat|thong tu|nghi dinh"
# What a metadata question asks (folded cues); checked only when the question speaks of a text.
METADATA_CUES: dict[str, tuple[str, ...]] = {
    "signer": (
        "ai ky",
        "nguoi ky",
        "do ai ky",
        "ky boi",
        "ky ten",
        "ai la nguoi ky",
        "ai da ky",
        r"ky ban hanh(?: \w+){0,6}? (?:la |boi )?ai",  # not "ký ban hành tại đâu / ngày nào"
        "ky thay mat",
        "thay mat ai",
        r"ky(?: \w+){0,12}? (?:voi |o )?(?:cuong vi|chuc vu|tu cach) (?:gi|nao)",  # "ký … với cương vị gì"
    ),
    "session": (
        "hoi nghi nao",
        r"hoi nghi(?: trung uong| tw)? lan(?: thu)? may",  # "hội nghị trung ương lần thứ mấy"
        "hoi nghi trung uong may",
        "khoa may",
        "khoa nao",
    ),
    "place": (
        "ban hanh o dau",
        "ban hanh tai dau",
        "noi ban hanh",
        "dia diem ban hanh",
        "ky o dau",
        "ky tai dau",
        "dia danh",
    ),
    "issuer": (
        "co quan nao ban hanh",
        "ai ban hanh",
        "do ai ban hanh",
        "cap nao ban hanh",
        "ban hanh boi",
        "van ban cua",
        "(?:dang )?(?:tren )?(?:to )?bao nao",  # the paper that ran a piece
        # "NQ20 (là) của ai", "kế hoạch này do cơ quan nào": of the text itself, right after it;
        # "kết quả … thuộc quyền sở hữu của ai theo NQ20" asks of something else
        rf"(?:\b(?:{_TEXT_WORD_ALTERNATIVES})|\d+(?: \w+)?)(?: \w+){{0,2}} (?:la )?(?:cua|do) (?:ai|co quan nao)"
        r"(?: (?:vay|a|ha|nhi|nhe|ad|z))*$",  # and nothing after ("KL69 do ai làm chủ tịch" is a role)
    ),
    "number": ("so may", "so bao nhieu", "so hieu", "ky hieu"),
    "column": ("chuyen muc nao", "chuyen muc gi", "o chuyen muc", "thuoc chuyen muc", "muc nao tren bao"),
    # when a newspaper ran it (a text no paper ran: when it was issued)
    "published": (
        r"dang (?:vao )?(?:luc|ngay|gio|thoi gian|thoi diem|hom)",  # "được đăng vào ngày giờ nào"
        "may gio",
        "dang khi nao",
        "dang bao gio",
        "ngay dang",
        "thoi gian dang",
    ),
    # whom it is sent to (its "Nơi nhận" list)
    "recipients": (
        "noi nhan",
        "gui den nhung",
        "gui toi nhung",
        "gui cho nhung",
        "gui den dau",
        "gui toi dau",
        "gui di dau",
        "gui cho ai",
        "gui den ai",
        "gui nhung noi nao",
        "duoc gui",
    ),
    "issued": (
        "ban hanh ngay",
        "ban hanh khi nao",
        "ban hanh nam",
        "ban hanh luc nao",
        "ban hanh bao gio",
        "ngay ban hanh",
        "ngay thang(?: nam)? ban hanh",
        # "ra đời khi nào", "khi nào … ra đời"; not "Sau khi NQ57 ra đời, …", which sets a scene
        r"ra doi (?:vao |tu )?(?:ngay|nam|thang|khi|luc|bao gio|thoi gian)|ra doi$",
        "ky ngay",
        # "ban hành [KL69 về …] vào ngày tháng năm nào": the verb, then the date asked
        r"ban hanh(?: \w+){0,30}? (?:vao )?(?:ngay(?: thang nam)?|nam|thoi gian) nao",
        r"ban hanh(?: \w+){0,30}? (?:khi nao|bao gio|luc nao)",
    ),
    "author": ("ai viet", "tac gia bai", "tac gia la ai", "ai la tac gia", "tac gia nao", "but danh", "phong vien nao"),
}
# A report is sent by a duty ("báo cáo kết quả … gửi cho ai"), not by a text's distribution list.
_REPORTING = re.compile(r"\bbao cao\b")
# A date question about a named text with nothing else in it ("nq20 ngày nào") asks when it was issued.
_DATE_ONLY = re.compile(r"^(?:ngay nao|khi nao|bao gio|nam nao|ngay may|ngay bao nhieu|luc nao)$")
_TEXT_WORDS = re.compile(rf"\b(?:{_TEXT_WORD_ALTERNATIVES})\b")
# "… thực hiện Kết luận 69": the question is about a text that implements the one it names. A
# metadata question is about a text anyway; any other is so only when a text precedes the verb
# ("kế hoạch [của Tỉnh ủy] thực hiện KL69", not "phải làm gì để thực hiện KL69").
# ("trong / mục / phần tổ chức thực hiện NQ20" is that text's own closing section, no text
# implementing it; "kế hoạch tổ chức thực hiện KL69" is one)
_SECTION_OF = r"(?<!trong to chuc )(?<!muc to chuc )(?<!phan to chuc )"
IMPLEMENTING = re.compile(rf"\b{_SECTION_OF}(?:thuc hien|trien khai|cu the hoa|quan triet)(?:\s+\w+){{0,2}}\s*$")
IMPLEMENTING_TEXT = re.compile(
    r"\b(?:ke hoach|chuong trinh|van ban|huong dan|de an|nghi quyet|ket luan|chi thi|quyet dinh)\b(?:\s+\w+){0,6}?"
    rf"\s+{_SECTION_OF}(?:thuc hien|trien khai|cu the hoa|ve)(?:\s+\w+){{0,2}}\s*$"  # "kế hoạch của Tỉnh ủy về KL69"
)
# "… Kết luận 69 trong tỉnh": how a locality carries the named text out, i.e. its own texts.
_LOCALLY = re.compile(r"\b(?:trong|o|tai|cua) (?:tinh|huyen|thanh pho|dia phuong)(?! uy)\b")
_DEADLINE = re.compile(
    r"\b(?:thoi han|han chot|han cuoi|cham nhat|muon nhat|truoc ngay nao|den ngay nao|han|deadline|xong truoc"
    r"|truoc moc(?: thoi gian)? nao|truoc ngay,? thang,? nam nao"
    r"|ngay cuoi cung|bao lau|dinh ky"
    r"|(?:khi nao|bao gio|ngay nao|luc nao|nam nao)\b.*\b(?:phai|xong|hoan thanh)"
    r"|(?:phai|xong|hoan thanh)\b.*\b(?:khi nao|bao gio|ngay nao|luc nao|nam nao))\b"
)
_NOT_DEADLINE_HAN = re.compile(r"\b(?:gioi|quyen|dai|ngan|trung|co thoi) han\b|\bhan (?:che|quoc)\b")
_DUTY = re.compile(
    r"\b(?:phai lam gi|can lam gi|lam gi|nhiem vu|(?<!mien )(?<!tru )(?<!cuu )trach nhiem|duoc giao|giao (?:\w+ ){0,4}gi|chi dao (?:\w+ ){0,3}gi"
    r"|co vai tro gi|(?:phai|can) (?:\w+ ){0,4}(?:nhung )?gi)\b"
)
# Verbs by which a text or a body requires something of someone ("KL69 bắt X phải …").
_REQUIRES = "yeu cau|de nghi|bat|buoc|doi hoi"
# Whose duty a duty question asks about: the words before its cue ("Đảng đoàn Quốc hội có nhiệm
# vụ gì"), after a leading frame ("Trong kế hoạch, …", "Ở chi bộ mình thì …", "… giao …").
_ACTOR = re.compile(
    # (a bare "theo" is the frame of a text whose name was taken out: "theo [KL69] Đảng đoàn …")
    rf"^(?:(?:theo|trong|o|tai|doi voi|ve)\b[^,]*, ?|theo (?!doi\b))?(?:(?:noi|quy dinh|neu|de ra|xac dinh|{_REQUIRES})(?: ve| rang| la)? )?"
    r"(?:giao (?:cho )?)?(?P<actor>.+)"
    r" (?:(?:nhiem vu|trach nhiem|vai tro)(?: \w+){0,2} (?:gi|nao|ra sao|the nao)|lam gi"
    r"|(?:phai|can|duoc giao) (?:\w+ ){1,4}gi)\b"
)
# "… giao (cho) X nhiệm vụ gì": X is whose duty; not the "giao" of "tuyên giáo", "chuyển giao" …
_GIVES = re.compile(r"(?<!tuyen)(?<!ngoai)(?<!chuyen)(?<!ban)(?<!ket)(?<!duoc) giao (?:cho )?")
# Words between the actor and the cue: "X [thì] [có|phải|được giao|những] nhiệm vụ gì".
_ACTOR_TAIL = re.compile(r"(?: (?:co|phai|can|se|duoc|nhung|cac|thi|thi giao|duoc giao|phan cong|duoc phan cong))+$")
# A verb of requiring inside the words before the cue: "Tỉnh ủy lưu ý [đơn vị] phải …". What
# follows it is whose duty; with nothing after it, what stands before it is who requires, unless
# that is a topic ("X thì [KL69] yêu cầu làm gì", the text's name cut out).
_REQUIRING = re.compile(rf"(?:^| )(?:luu y|chu y|{_REQUIRES})(?= |$)")
# "Thế còn X thì …", "Còn về X, …": X is what the question turns to; "(thì) giao X", "bên X"
# ("X's side" in chat): X is still the body.
_TURNING = re.compile(
    r"(?:(?:the|vay|ok|con) )*(?:con )?(?:ve |voi |doi voi )?(?:thi )?(?:giao (?:cho )?)?(?:ben |phia )?"
)
# What the question asks for, the noun its question word bears: "những hạn chế, yếu kém nào",
# "các giải pháp gì", "mục tiêu tổng quát là gì": up to six words before the question word,
# after the last word that cannot belong to the noun (a determiner, a verb of saying, a preposition).
_FOCUS = re.compile(r"\b(?:la nhung gi|la gi|(?<!the )(?<!khi )(?<!luc )nao|gi)\b")  # not "thế nào", "khi nào"
_FOCUS_WORDS = 6
# Capitalised shorthand for the province's own texts, in capitals only (lower case they are
# words: "tu", "kh"): "KH TU" is "kế hoạch Tỉnh ủy"; "KH" before a number is left to
# _ABBREVIATED, and "KH&CN", "KHCN" are science.
_CAPITALISED_WORDS = {"KH": ("kế hoạch", "ke hoach"), "TU": ("Tỉnh ủy", "Tinh uy")}
_CAPITALISED = re.compile(r"(?<![\w&/-])(?:KH(?![\w&])(?! ?\d)(?! ?(?:&|và|va|CN)\b)|TU(?![\w&/-]))")
# "mấy X …, nói sao / thế nào / ra sao / nói gì": the question word that asks is another.
_PLURAL_MAY = re.compile(
    r"(?<!\w)may (\w+)(?=(?:[ ,]+\w+)*[ ,]+(?:noi sao|noi gi|noi the nao|the nao|ra sao|nhu the nao"
    r"|(?:that|dung|phai) khong)\b)(?!.*\bbao nhieu\b)",  # "… giải thể mấy tổ chức …, thật không"
    re.IGNORECASE,
)
# "có nhắc chuyện / việc / cái X không": the matter is X.
_MATTER_OF = re.compile(r"^(?:(?:chuyen|viec|cai|van de|vu) )+")
# "…, còn NQ57 thì sao / thế nào" at the end of a question.
_TURNING_TO = re.compile(
    rf"\bcon (?:ve |voi |doi voi )?(?:{_KIND_WORDS}) (?:so )?(\d+)(?: \w+){{0,3}} thi (?:sao|the nao|ra sao|nhu the nao)$"
)
# Where a question in two parts is joined: ", và", "; (còn)", or a question mark between them.
_PARTS = re.compile(r",\s*và\s+|;\s*(?:còn\s+)?|\?\s+(?=\w)", re.IGNORECASE)
# A question word of a part (folded).
_ASKS = re.compile(r"\b(?:gi|nao|ai|bao nhieu|may|khi nao|bao gio|the nao|ra sao|o dau|khong|chua)\b")
# What "mấy" counts when it is a unit: "mấy giờ", "mấy năm", "mấy phần trăm".
_UNITS = frozenset(("phan", "nam", "thang", "ngay", "lan", "ty", "ti", "trieu", "tien", "dong", "usd", "gio", "tuoi"))
# "bao nhiêu / mấy X Y": the counted noun, two words.
_COUNTED_NOUN = re.compile(r"\b(?:bao nhieu|may) (?P<noun>(\w+) \w+)")
# Nouns that only say what kind of answer is wanted ("những giải pháp gì"): the sentences that
# answer rarely use them, and those that do are not the better for it.
_ANSWER_KINDS = "giai phap|bien phap|nhiem vu|noi dung|van de|viec|cong viec|dieu|hoat dong|chu truong|dinh huong"
# "nói gì về X", "đề cập thế nào đến X": X is what the answer must speak of.
_TOPIC = re.compile(
    r"\b(?:noi|de cap|nhac|neu|quy dinh|viet)(?: \w+)? (?:gi|nhung gi|nhu the nao|the nao|ra sao)"
    r" (?:ve|den|toi) (?P<topic>(?:\w+ ?){1,8})"
    r"|^(?:(?:the|vay|ok) )?con (?:ve |voi )?(?!nam |\d)(?P<turned>(?:\w+ ?){1,8}?) thi\b"
    r"|\b(?:han che|yeu kem|ton tai|giai phap|chu truong|dinh huong|quan diem) (?:gi|nao)"
    r" (?:ve|doi voi) (?:cong tac |viec |linh vuc )?(?P<about>(?:\w+ ?){1,6})"
)
# "yêu cầu gì đối với X", "trách nhiệm gì với X": a duty of X.
# ("X có trách nhiệm gì đối với Y": X has it, Y is what it is towards)
_DUTY_OF = re.compile(
    r"\b(?:yeu cau|doi hoi|(?<!\bco )(?:nhiem vu|trach nhiem))(?: \w+)? (?:gi|nao) (?:doi voi|voi|cho) (?P<actor>(?:\w+ ){0,5}?\w+)"
    r"(?: (?:trong|ve|khi|de|o|tai)\b.*)?$"
)
# "Trách nhiệm của X về / đối với … (là gì, thế nào)": X's duty, asked by naming it first.
_DUTY_OF_BODY = re.compile(
    r"^(?:\w+ ){0,2}?(?:nhiem vu|trach nhiem|vai tro) cua (?P<actor>(?:\w+ ){0,6}?\w+)"
    r" (?:ve|doi voi|trong|duoc|la)\b(?=.*\b(?:gi|nao|the nao|ra sao)\b)"
)
# "được miễn trừ / hỗ trợ … khi nào": on what condition one is granted something; not an event
# with a date ("được ban hành khi nào").
_CONDITION = re.compile(
    r"\bduoc (?!(?:ban hanh|ky|thong qua|thanh lap|to chuc|cong bo|dang|trien khai)\b)(?:\w+ ){1,5}khi nao\b"
)
# Scene-setting: "sau 10 năm thực hiện …", "qua 5 năm triển khai", "theo đánh giá của …".
_FRAME = re.compile(
    r"\b(?:sau|qua)\s+(?:\d+|hai|ba|năm|mười|nam|muoi)\s+(?:năm|nam)(?:\s+(?:thực hiện|thuc hien|triển khai|trien khai))?"
    r"|\btheo (?:đánh giá|danh gia)(?: của| cua)?",
    re.IGNORECASE,
)
# "Vì sao X (lại) V …", "X V là vì sao": asks the reason for what it takes as said.
_WHY = re.compile(r"\b(?:vi sao|tai sao|vi ly do gi|sao lai|giai thich ly do|ly do (?:gi|nao) ma)\b(?: (?:ma|lai))?")
# "NQ nói X sẽ được coi là gì": what a text regards X as; X is the topic.
_REGARDED = re.compile(
    r"(?:\b(?:noi|rang|thi|neu) |^(?!(?:noi|rang|thi|neu) ))(?P<topic>(?:\w+ ){0,5}?\w+)"
    r" (?:(?:se|can|phai|duoc|da) )*(?:coi|xem|xac dinh|dinh vi) (?:la|nhu) (?:gi|cai gi|the nao)\b"
)
# "Để phát triển X, … những giải pháp gì?": the purpose is what the answer is about.
_PURPOSE = re.compile(r"^\W*(?:de|nham) (?P<topic>[^,?]{3,80}),")
# "xây dựng những gì": the answer lists what follows that verb.
_LISTED = re.compile(r"(?P<verb>(?:\w+ ){1,2})nhung gi\b")
_HEAD_NOUN = re.compile(
    rf"^(?P<head>(?:\w+ ){{0,3}}\w+) (?:(?:{_TEXT_WORD_ALTERNATIVES}) )?(?:trong|cua|ve|theo|o|tai)"
    r" (?:\w+ )*?(?:la gi|la nhung gi)$"  # "mục tiêu tổng quát [trong] kế hoạch của …": chat drops "trong"
)
_FOCUS_BOUNDARY = frozenset(
    ("nhung", "cac", "mot", "so", "la", "ve", "co", "ra", "dat", "gom", "noi", "de", "cua", "theo")
    + ("trong", "voi", "cho", "den", "tu", "duoc", "phai", "can", "thi", "nay")
    + ("vao", "tai", "o", "cai", "chiec")  # "bám vào cái quy hoạch nào": chat's "cái" too
    + ("hien", "khai")  # "… thực hiện / triển khai KL69 là gì": a verb, what the text is about
)
# Asks what has come of implementing a text: "kết quả … đạt được", "đã hoàn thành … chưa",
# "đến nay"; a text cannot report its own implementation ("sơ kết" alone is a task, not a result).
_RESULTS = re.compile(
    r"\b(?:ket qua (?:thuc hien|trien khai|quan triet|so ket|tong ket|dat duoc|gi|ra sao|nhu the nao|the nao|nao|cua)"
    r"|(?:dat|co) (?:duoc )?(?:nhung )?ket qua|dat duoc|da dat|da lam duoc|da hoan thanh|da thuc hien|tien do|den nay"
    r"|hien nay da|thuc te (?:da|dat|la|duoc))\b"
    r"|\bdat\b(?: \w+){1,8} roi\b"  # "thực tế đạt bao nhiêu % GDP rồi"
    r"|\bda\b(?: \w+){1,12} (?:chua|roi)\b"  # "đã họp phiên đầu tiên chưa", "đã thông qua luật nào rồi"
)
# ("kết quả" alone is a noun: "kết quả, sản phẩm khoa học" are research outputs, not results so far)
# … unless the results are a task ("theo dõi, đánh giá kết quả thực hiện") or it asks who does it.
# The task may name whom it reports to first ("báo cáo Bộ Chính trị, Ban Bí thư về kết quả"); a
# body asked for ("cơ quan nào chủ trì …") is a who-question too.
_NOT_RESULTS = re.compile(
    r"\b(?:bao cao|danh gia|theo doi|kiem tra|giam sat|tong hop)(?:,? \w+){0,8},? ket qua\b|^ai\b|\bai (?:co|phai|chiu)\b"
    r"|\b(?:co quan|don vi|to chuc|bo phan|cap) nao\b"
    # what the results are used for or whom they go to ("kết quả thực hiện … được dùng làm gì",
    # "… phải được báo cáo … bao lâu một lần"): a rule about them
    r"|\bket qua(?:,? \w+){0,20}? duoc (?:dung|su dung|coi|xem|lay|tinh|bao cao|tong hop|theo doi|kiem tra)\b"
)
# The one text named is the one assessing ("KL69 đánh giá X đã … chưa"): what it says is asked,
# not what came after it.
_ASSESSING = re.compile(rf"(?:{_KIND_WORDS}) (?:so )?\d+ (?:danh gia|nhan dinh|chi ra)\b")
# Who holds a role: "X (hiện nay) là ai", "(X do) ai là / ai làm Y"; the answer must name the role.
_ROLE = re.compile(
    r"^(?:(?:(?:theo|trong|o|tai) (?:\w+ ){0,8}?thi )?"  # "theo NQ57 thì …": a frame, no part of the role
    r"(?P<before>.+?)(?: (?:theo|cua|trong|o|tai))? (?:hien nay |hien tai |bay gio )?la (?:ai|(?:dong chi|nguoi) nao)"
    r"|(?:.+? )?(?:do )?(?:ai|(?:nhung )?(?:dong chi|nguoi|ca nhan) nao)"
    r" (?:duoc (?:phan cong|giao|bo nhiem|cu) )?(?:la|lam|giu|dam nhiem|dam nhan)"
    r" (?:(?:cuong vi|chuc vu|chuc danh|chuc|vi tri) )?(?P<after>.+?)(?: (?:theo|cua|trong|o|tai))?)$"
)
# A question opening with a body's name, after an optional "Theo …, " / "Trong …, " frame.
_BODY_FIRST = re.compile(
    r"^\W*(?:(?:theo|trong|o|tai)\b[^,]*, ?)?(?:(?:\w+ ){1,4}cua )?(?P<body>(?:uy ban|ban|bo|so|hoi dong|dang doan|mat tran|van phong)\s)"
)
_BODY_WORDS = 4
_SHORT_HEADS = frozenset(("ban", "bo", "so"))
_MARKED_HEADS = frozenset(("sở", "bộ"))
# What follows "bộ"/"sở" in the name of a ministry or a department: "bo quoc phong" typed without
# marks is the Ministry, not "bỏ".
_MINISTRY = re.compile(
    r"(?:quoc phong|cong an|tai chinh|ke hoach|khoa hoc|giao duc|y te|noi vu|tu phap|ngoai giao|cong thuong"
    r"|xay dung|nong nghiep|tai nguyen|lao dong|van hoa|thong tin|giao thong|chinh tri)\b"
)
# "X là gì", "X hiểu thế nào cho đúng", "X là công nghệ gì": asks what a term means; the texts
# answer only where they define it. The term stands alone (a frame "trong/theo <text>" aside):
# "nhiệm vụ của X là gì" asks X's duties, "NQ coi X là gì" how a text regards X.
_DEFINITION = re.compile(
    r"^(?P<term>(?:\w+ ){0,9}\w+?)(?: (?:trong|theo|o)\b.*?)?"
    r" (?:la gi|la cai gi|nghia la gi|co nghia la gi|la (?:cong nghe|khai niem|mo hinh|hinh thuc|loai hinh) gi"
    r"|(?:duoc )?hieu (?:nhu )?the nao(?: cho dung)?)(?: .*)?$"
)
# "Các văn bản định nghĩa (khái niệm) X như thế nào": the term follows the verb of defining.
_DEFINED_AS = re.compile(
    r"\bdinh nghia (?:khai niem |thuat ngu )?(?P<term>(?:\w+ ){0,7}?\w+?) (?:nhu the nao|the nao|ra sao|la gi)$"
)
# "X (được) tính thế nào": how a measure is computed, which only a sentence defining it says
# (one stating its value does not).
_COMPUTED = re.compile(r"^(?P<term>(?:\w+ ){0,4}?\w+?)(?: duoc)? tinh (?:nhu the nao|the nao|ra sao|bang cach nao)\b")
_NOT_TERM = re.compile(
    r"\b(?:cua|coi|xem|nay|yeu cau|quy dinh|muc tieu|nhiem vu|noi dung|quan diem|ket qua|han|thoi han)\b"
)
# No body: who is asked ("ai", "nào"), or a scene the asker sets ("trường tôi xây dựng kế hoạch
# thực hiện KL69 thì cần chú trọng gì"): a body's name holds no such verb.
# A "role" that is only a question word ("ai được giao làm gì"): whose duty, no role.
_WHAT = re.compile(r"(?:(?:nhung|cac) )?(?:\w+ )?(?:gi|nao|the nao|ra sao)")
_NOT_ACTOR = re.compile(r"\b(?:ai|nao|gi|nhung ai|xay dung|thuc hien|trien khai|quan triet|chuan bi|sap)\b")
_FIGURE = re.compile(r"\b(?:bao nhieu|may|ty le|ti le|phan tram|chi tieu|muc tieu (?:\w+ ){0,4}(?:dat|la))\b")
# Yes/no: "có … không", "… phải không", "… đúng không", "… hay không", "… chưa".
_YES_NO = re.compile(r"(?:\bco\b.+\b(?:khong|chua)|\b(?:phai|dung|hay|that) khong|\bco phai)\s*$")
# Asks whether the texts mention something at all: "có nhắc/đề cập/nói … không"; the topic follows.
_MENTION = re.compile(
    r"\bco (?:\w+ ){0,2}(?:nhac|de cap|noi|neu|quy dinh|de ra|yeu cau|bat|khuyen khich)"
    r"(?: (?:den|toi|ve|gi ve|gi den|gi))? (?P<topic>.+?) (?:khong|chua)$"
)
_UNIT_OF_ONES_OWN = (
    r"(?:don vi|co quan|chi bo|dang bo|dia phuong|xa|phuong|huyen|tinh|so|ban|nganh)"
    r" (?:cua )?(?:toi|minh|em|chung toi|chung em|ta)\b"
)
_OWN_UNIT = re.compile(rf"\b{_UNIT_OF_ONES_OWN}")
# "NQ45 mà KL69 có nhắc đến", "NQ29 được KL69 dẫn": the later text says where the first is cited;
# what the first itself says ("… đề ra những giải pháp gì") is then asked of a text we may lack.
_CITED_BY = re.compile(
    rf"\b(?:ma|duoc) (?:{_KIND_WORDS})(?: so)? ?\d+(?: \w+){{0,3}}? (?:co |da )?(?:nhac|de cap|neu|dan|trich dan)\b"
)
_SAYS_WHAT = re.compile(
    r"\b(?:de ra|neu|quy dinh|yeu cau|noi|xac dinh|dat ra|dat)\b(?: \w+){0,6}? (?:gi|nao|ra sao|the nao|nhu the nao)\b"
)
# Context before the question ("Tuần sau chi bộ em sinh hoạt…. Nghị quyết … như thế nào?"): the
# question is the sentence with a question word; a leading clause about oneself ("Em đang soạn
# bài cho chi bộ, …") is context too.
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_QUESTION_WORD = re.compile(
    r"\?|\b(?:gi|nao|sao|bao nhieu|bao lau|may|khong|chua|ai|dau|bao gio|the nao|hay|phai|can|co)\b"
)
# ("con" folded is "còn" as often: "còn tốc độ …, thì …", "con trong kế hoạch …" turn to another
# matter; it is the asker only before what the asker does: "con muốn hỏi, …")
_SELF = (
    r"(?:em|toi|minh|chung toi|chung em|anh|chi"
    r"|con(?= (?:muon|dang|can|xin|hoi|thay|nghe|doc|lam|duoc|da|se|vua|moi|chua|co|dinh|phai)\b))\b"
)
_SELF_CLAUSE = re.compile(rf"^{_SELF}[^,]{{0,80}},\s+")
# An asking sentence with no content of its own ("NQ nói thế nào?", "Văn bản này quy định ra
# sao?", "Thế thì sao?"): a text's name or a pointer, a verb of saying, a question frame. What
# it asks about stands in the sentence before it.
_ELLIPTIC = re.compile(
    rf"^(?:(?:(?:van ban|bai bao|{_KIND_WORDS})(?: so)?(?: \d+(?: [a-z]{{1,3}}){{0,2}})?(?: (?:nay|do|ay|tren))?"
    r"|no|cai (?:nay|do)|(?:dieu|viec|van de|noi dung|phan) (?:nay|do|ay)) )?"
    r"(?:(?:the |vay )?thi )?(?:(?:noi|quy dinh|viet|neu|de cap|huong dan|yeu cau)(?: (?:cu the|ro))? )?"
    r"(?:(?:nhu )?the nao|ra sao|sao|(?:cu the )?(?:la )?gi|cu the (?:ra sao|the nao|nhu the nao))$"
)
# How the asker speaks of themselves before the question: "[tuần sau] em / chi bộ em …", and the
# verb by which they say what they want to know ("em muốn nói rõ X", "tôi cần tìm hiểu về X").
_SELF_SUBJECT = re.compile(
    rf"^(?:(?:(?:tuan|thang|nam|ky|dot|buoi) (?:sau|toi|nay)|sap toi|hom nay|ngay mai) )?(?:{_UNIT_OF_ONES_OWN}|{_SELF})"
)
_TELLING = re.compile(
    r"(?: (?:dang|muon|can|dinh|se|phai|cung|rat|duoc))* (?:noi|trinh bay|lam ro|tim hieu|hoi|biet|hieu|nam|gioi thieu"
    r"|neu|phan tich|nhan manh)(?: (?:ro|ky|them|lai|chung))?(?: (?:ve|den))?\b ?"
)
_ASKED_YEAR = re.compile(r"(?<![\d/.-])((?:19|20)\d\d)(?![\d/.-])")
# A text named with its year ("NQ 20 năm 2012", "Nghị quyết 57 ngày 22/12/2024"): which text, not
# a year asked about.
_TEXT_YEAR = re.compile(
    rf"\b(?:{_KIND_WORDS}|luat)\s*(?:so\s*)?\d+(?:-[\w/]+)?,?"
    r"\s*(?:(?:nam|ngay|hoi|tu)\s*)?(?:\d{1,2}\s*[/.-]\s*\d{1,2}\s*[/.-]\s*)?(?:19|20)\d\d\b"
)
_SPACES = re.compile(r"\s+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_UPPER_SHARE = 0.7  # a question with more capitals than this was typed in caps


@dataclasses.dataclass(frozen=True)
class Understanding:
    """What :func:`understand` read in a question; the answer step reads this, not the raw text."""

    raw: str
    text: str  # normalised for retrieval
    intent: str  # small_talk, help, metadata, deadline, duty, figure, yesno, content
    small_talk: str = ""  # greeting, thanks, identity, bye, ack, opinion
    metadata: str = ""  # signer, session, place, issuer, issued, number: the first asked
    fields: tuple[str, ...] = ()  # every particular asked, in the order asked ("ngày nào, cơ quan nào")
    named: tuple[NamedDocument, ...] = ()
    implementing: bool = False  # asks about a text implementing the named one ("kế hoạch thực hiện KL69")
    mention: str = ""  # a yes/no question asking whether the texts mention this (folded topic)
    own_unit: bool = False
    actor: str = ""  # a duty question: whose duty it asks about ("Đảng đoàn Quốc hội"), as typed
    role: str = ""  # "ai làm Trưởng ban …", "X là ai": the role whose holder is asked, as typed
    achieved: bool = False  # asks what has been achieved or done ("đã đạt được kết quả gì", "đã … chưa")
    listed: str = ""  # "xây dựng những gì": the verb whose objects are asked for
    defines: str = ""  # "kinh tế tuần hoàn là gì": the term whose meaning is asked (folded)
    answer_kind: str = ""  # "những giải pháp gì": a noun saying only what kind of answer is wanted
    condition: bool = False  # "được miễn trừ trách nhiệm khi nào": asks on what condition, not a date
    premise: str = ""  # "vì sao X lại V": what the question takes as said (X V), as typed
    focus: str = ""  # the noun the question word bears ("hạn chế, yếu kém" in "… những hạn chế, yếu kém nào")
    cited_by: bool = False  # the later texts named only say where the first is cited ("NQ45 mà KL69 nhắc đến")

    @property
    def unnamed(self) -> str:
        """``text`` without the names of the texts it names ("kết luận số 69-KL/TW"): what the
        question asks *about* them. Once the names are resolved to documents, their words (and
        the pairs they form with the words around them, "luận 69") are no part of what a
        passage must cover."""
        out, last = [], 0
        for start, end in self._name_spans():
            out.append(self.text[last:start])
            last = end
        out.append(self.text[last:])
        return " ".join("".join(out).split()) or self.text

    @property
    def lead(self) -> str:
        """The words before the first text named (all of ``text`` when it names none): where the
        question's subject stands when another text follows ("Luật … được Quốc hội thông qua để
        thể chế hoá NQ57 quy định …" asks of the law)."""
        return self.text[: next((start for start, _ in self._name_spans()), len(self.text))]

    def _name_spans(self) -> list[tuple[int, int]]:
        """Where ``text`` writes the names of the texts it names."""
        folded = fold(self.text)
        if not self.named or len(folded) != len(self.text):  # folding changed lengths (rare ligatures)
            return []
        numbers = "|".join(str(n.number) for n in self.named)
        pattern = rf"\b(?:{_KIND_WORDS})(?: so)? ?(?:{numbers})(?: ?[-/] ?[a-z]{{1,6}}(?:/[a-z]{{1,6}})?)?\b"
        return [m.span() for m in re.finditer(pattern, folded)]

    @property
    def frame(self) -> str:
        """The words that only set the scene ("sau 10 năm thực hiện", "theo đánh giá của"): the whole
        passage shares them, so they pick no sentence in it."""
        return " ".join(m.group() for m in _FRAME.finditer(self.unnamed))

    @property
    def results(self) -> bool:
        """Asks what implementing a named text has achieved so far."""
        return self.achieved and bool(self.named)

    @property
    def achieved_in(self) -> int:
        """The latest year whose achievements are asked ("năm 2025 đã đạt được gì"), or 0."""
        return max(self.years, default=0) if self.achieved else 0

    @property
    def years(self) -> tuple[int, ...]:
        """The years the question asks about ("mục tiêu 2045", "năm 2025 đạt bao nhiêu"): not a
        day's ("15/4/2024"), nor the year that says which text ("NQ 20 năm 2012")."""
        return asked_years(self.text)

    @property
    def answers_from_texts(self) -> bool:
        """Small talk and help are answered without retrieval."""
        return self.intent not in ("small_talk", "help")


def normalise(question: str, max_chars: int = 500) -> str:
    """The question as retrieval should read it (see the module docstring). A message longer
    than ``max_chars`` (what retrieval reads) keeps its beginning: no context is dropped."""
    text = _SPACES.sub(" ", nfc(question or "")).strip()
    letters = [c for c in text if c.isalpha()]
    if len(letters) > 8 and sum(c.isupper() for c in letters) > _UPPER_SHARE * len(letters):
        text = text.lower()
    marked = has_diacritics(text)
    text = _splice(
        text,
        ((m.span(), TEENCODE[fold(m.group())][0 if marked else 1]) for m in _WORD.finditer(text) if _teencode(text, m)),
    )
    text = _WORD.sub(lambda m: _untransposed(m.group()), text)
    text = _loanwords(text, marked)
    text = _in_texts_wording(text, marked)
    text = _artificial_intelligence(text, marked)
    text = _plural_may(text, marked)
    text = _CAPITALISED.sub(lambda m: _CAPITALISED_WORDS[m.group()][0 if marked else 1], text)
    text = _BARE_YEAR.sub(lambda m: f"{m.group(1)} {'năm' if marked else 'nam'} {m.group(2)}", text)
    text = _ABBREVIATED.sub(lambda m: f"{_KIND_NAMES[m.group(1).lower()][0 if marked else 1]} {m.group(2)}", text)
    text = _strip_chat(text) or text
    return text if len(text) > max_chars else _passed_on(_focus(text))


def _teencode(text: str, m: re.Match[str]) -> bool:
    """Whether the word ``m`` of ``text`` is chat shorthand to write out: not part of a name
    joined by "&", "/" or "-", and a one-letter one only in a chatty message."""
    key = fold(m.group())
    joined = text[m.start() - 1 : m.start()] in ("&", "/", "-") or text[m.end() : m.end() + 1] in ("&", "/")
    return key in TEENCODE and not joined and not (len(key) == 1 and key not in _ALWAYS and not _chatty(text))


def _splice(text: str, replacements: Iterable[tuple[tuple[int, int], str]]) -> str:
    """``text`` with each (start, end) span, in order and not overlapping, replaced."""
    out, last = [], 0
    for (start, end), words in replacements:
        out += [text[last:start], words]
        last = end
    return "".join([*out, text[last:]])


def _loanwords(text: str, marked: bool) -> str:
    """English words in a Vietnamese question ("nq57 muốn biến data thành gì", "vốn cho startup")
    in the texts' Vietnamese (:data:`embeddings.glossary.ENGLISH`), in the question's style."""
    if vietnamese_share(text) < FOREIGN_BELOW:
        return text  # an English question is read as one (embeddings.query)

    def vietnamese(m: re.Match[str]) -> str:
        words = glossary.ENGLISH[m.group(1).lower()]
        return words if marked else fold(words)

    return glossary.english_pattern().sub(vietnamese, text)


def _plural_may(text: str, marked: bool) -> str:
    """ "mấy X" written "các X" when another question word asks what is wanted ("mấy trường đại
    học trọng điểm thì KL69 nói sao"): chat's plural, not "how many"; a unit ("mấy giờ", "mấy
    năm") is always counted."""
    folded = fold(text)
    if len(folded) != len(text):
        return text
    m = _PLURAL_MAY.search(folded)
    if m is None or m.group(1) in _UNITS:
        return text
    return _splice(text, [(m.span(), ("các " if marked else "cac ") + text[m.start(1) : m.end(1)])])


def _passed_on(text: str) -> str:
    """The question without "anh em hỏi" before it (same length folded, so cut on the fold)."""
    m = _PASSED_ON.match(fold(text))
    return text[m.end() :] if m and len(fold(text)) == len(text) and m.end() < len(text) else text


def _in_texts_wording(text: str, marked: bool) -> str:
    """Everyday words replaced by the texts' own (:data:`TEXTS_WORDING`), in the question's style."""
    folded = fold(text)
    if len(folded) != len(text):
        return text
    return _splice(text, ((m.span(), TEXTS_WORDING[m.group()][0 if marked else 1]) for m in _EVERYDAY.finditer(folded)))


def _untransposed(word: str) -> str:
    """``word`` with two neighbouring letters swapped back when it is no Vietnamese syllable and
    exactly one swap makes it one ("leiu" → "lieu"); anything else (a mark, a digit, a capital,
    an English word, an abbreviation) as typed."""
    if not (4 <= len(word) <= 7 and word.isascii() and word.isalpha() and word.islower()):
        return word
    if _STRICT_SYLLABLE.match(word) or word in TEENCODE or word in FOLDED_ABBREVIATIONS:
        return word
    swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
    fixed = [w for w in swapped if _STRICT_SYLLABLE.match(w)]
    return fixed[0] if len(fixed) == 1 else word


def _artificial_intelligence(text: str, marked: bool) -> str:
    """The acronym "AI" (and a lowercase "ai" where a noun stands, see ``_AI_NOUN``) written out in the
    question's style, so no rule reads it as "who"."""
    words = _AI_WORDS[0 if marked else 1]
    text = _AI.sub(words, text)
    folded = fold(text)
    if len(folded) != len(text):
        return text
    return _splice(text, (((m.end() - 2, m.end()), words) for m in _AI_NOUN.finditer(folded) if _acronym(text, m)))


def _acronym(text: str, m: re.Match[str]) -> bool:
    """Whether the lowercase "ai" ending ``m`` (on the folded ``text``) is the acronym: "về ai"
    is "about whom" unless the question asks something else ("nói gì về ai")."""
    start = m.end() - 2
    if m.group("before") == "ve" and not _QUESTION_WORD.search(m.string[:start] + m.string[m.end() :]):
        return False
    return text[start : m.end()] == "ai"


def _focus(text: str) -> str:
    """The question without the context typed before it; texts named there are kept in front."""
    sentences = [p for p in _SENTENCE_END.split(text) if p.strip()]
    # a sentence ending in "?" asks, whatever follows ("… ban hành ngày nào ạ? Tôi cần ghi vào báo cáo.")
    asking = [p for p in sentences if p.rstrip().endswith("?")] or [
        p for p in sentences if _QUESTION_WORD.search(fold(p))
    ]
    focus = " ".join(asking[-1:]) if len(sentences) > 1 and asking else text
    if focus != text and _ELLIPTIC.match(" ".join(_WORD.findall(fold(focus)))):
        before = sentences[sentences.index(focus) - 1] if sentences.index(focus) else ""
        focus = ", ".join(filter(None, (_content(before), focus)))
    clause = _SELF_CLAUSE.match(fold(focus))
    if clause and _QUESTION_WORD.search(fold(focus[clause.end() :])) and not _QUESTION_WORD.search(clause.group()):
        focus = focus[clause.end() :]
    if focus == text:
        return text
    dropped = text.replace(focus, " ")
    names = [n.label for n in named_documents(dropped) if n not in named_documents(focus)]
    if names and not has_diacritics(text):
        names = [fold(n) for n in names]
    return " ".join([*names, focus]) if names else focus


def _content(sentence: str) -> str:
    """What a context sentence is about, without what the asker says of themselves: a clause
    whose subject is the asker or their unit ("Tuần sau chi bộ em sinh hoạt…") is dropped,
    save what follows a verb of saying or knowing ("em muốn nói rõ X" → "X")."""
    kept = []
    for clause in re.split(r"\s*[,;:]\s*", sentence.strip(" .!…")):
        folded = fold(clause)
        subject = _SELF_SUBJECT.match(folded) if len(folded) == len(clause) else None
        if not subject:
            kept.append(clause)
            continue
        telling = _TELLING.match(folded, subject.end())
        if telling and telling.end() < len(clause):
            kept.append(clause[telling.end() :])
    return ", ".join(kept)


def _chatty(text: str) -> bool:
    """One-letter abbreviations ("e", "k", "r") are expanded only in a message that already uses
    chat style (other teencode), where they cannot be a list letter or a unit."""
    return sum(1 for w in _WORD.findall(text) if fold(w) in TEENCODE and len(w) > 1) > 0


def _strip_chat(text: str) -> str:
    """Drop a salutation ("Kính gửi …,"), a leading "cho em hỏi", "ad ơi", a closing request ("…, nói cụ thể giúp mình") and
    trailing particles ("vậy ạ", "ad ơi", "nhé"), mapping the cuts made on the folded text back onto the text as typed (same length)."""
    folded = fold(text)
    if len(folded) != len(text):  # folding changed lengths (rare ligatures): leave as typed
        return text
    m = _SALUTATION.match(folded)
    start = m.end() if m else 0
    m = _LEADING.match(folded[start:])
    if m:
        start += m.end()
    m = _INTERJECTION.match(folded, start)
    if m and m.end() < len(folded):
        start = m.end()
    end = len(text)
    m = _REQUEST.search(folded, start)
    if m and m.start() > start:
        end = m.start()
    m = _TRAILING.search(folded[:end], start)
    if m and m.start() > start:
        end = m.start()
    return text[start:end].strip(" ,")


def understand(question: str, max_chars: int = 500) -> Understanding:
    """Read one question (no catalogue needed: resolving the named texts is the caller's)."""
    raw = question or ""
    text = normalise(raw, max_chars)
    folded = _LETTER_DIGIT.sub(" ", " ".join(_WORD.findall(fold(text))))
    named = _turned_to(folded, tuple(named_documents(text)))
    base = Understanding(
        raw=raw,
        text=text,
        intent="content",
        named=named,
        implementing=any(IMPLEMENTING_TEXT.search(p) for p in _between_names(folded, named))
        or bool(named and _LOCALLY.search(folded)),
        own_unit=bool(_OWN_UNIT.search(folded)),
        cited_by=len(named) > 1 and _asks_content_of_cited(folded),
        condition=bool(_CONDITION.search(folded)),
        achieved=bool(_RESULTS.search(folded))
        and not _NOT_RESULTS.search(folded)
        and not (len(named) == 1 and _ASSESSING.match(folded)),
    )
    # whatever else it asks ("vì sao … phải xong trước 15/4"), a why-question takes its premise as said
    base = dataclasses.replace(base, premise=_premise(base.unnamed))
    talk = _small_talk(fold(raw))
    if talk == "help":
        return dataclasses.replace(base, intent="help")
    if talk:
        return dataclasses.replace(base, intent="small_talk", small_talk=talk)
    if _OPINION.search(folded) or _ADVICE.search(canonical_tones(nfc(text)).lower()):
        return dataclasses.replace(base, intent="small_talk", small_talk="opinion")
    fields = _metadata_fields(folded, named)
    # A metadata question is about a text anyway: "ban hành ngày nào … thực hiện KL69" asks of the
    # text implementing KL69. But a text the question names first is that text ("KL69 về tiếp tục
    # thực hiện NQ20 ban hành ngày nào" asks of KL69); past it, only a text word says another.
    first, *later = _between_names(folded, named)
    implementing = bool(IMPLEMENTING.search(first)) or any(IMPLEMENTING_TEXT.search(p) for p in later)
    if named and not implementing:
        fields = tuple(f for f in fields if f != "number")  # "KL69 tiếp tục nghị quyết số mấy": another text's
    if _REPORTING.search(folded):
        fields = tuple(f for f in fields if f != "recipients")  # "báo cáo kết quả … gửi cho ai": a duty's
    if fields:
        return dataclasses.replace(
            base, intent="metadata", metadata=fields[0], fields=fields, implementing=implementing
        )
    if _YES_NO.search(folded):
        mention = _MENTION.search(folded)
        topic = mention.group("topic") if mention else ""
        if mention and topic.startswith(("trong ", "o ", "tai ")):  # "X có được nhắc trong kế hoạch không"
            topic = folded[: mention.start()].strip()
        return dataclasses.replace(base, intent="yesno", mention=_MATTER_OF.sub("", topic))
    if _DEADLINE.search(folded) and not (
        " han " in f" {folded} " and _NOT_DEADLINE_HAN.search(folded) and "thoi han" not in folded
    ):
        return dataclasses.replace(base, intent="deadline")
    unnamed = base.unnamed
    if _FIGURE.search(folded):
        return dataclasses.replace(base, intent="figure", focus=_focus_noun(unnamed), actor=_body_subject(unnamed))
    role = _role(unnamed)
    if _WHAT.fullmatch(fold(role)):
        role = ""  # "ai được giao làm gì": whose duty, no role
    words = " ".join(_WORD.findall(fold(unnamed)))
    duty_of = _DUTY_OF.search(words) or _DUTY_OF_BODY.match(words)
    if duty_of and not role:
        return dataclasses.replace(base, intent="duty", actor=_as_typed(unnamed, duty_of, "actor"))
    if _DUTY.search(folded) and not role:  # "ai được giao làm Trưởng ban" asks who holds it
        return dataclasses.replace(base, intent="duty", actor=_actor(unnamed))
    return dataclasses.replace(
        base,
        focus=_focus_noun(unnamed),
        answer_kind=_answer_kind(unnamed),
        role=role,
        listed=_listed_verb(unnamed),
        defines=_defined_term(unnamed),
        actor="" if role else _body_subject(unnamed),
    )


def _asks_content_of_cited(folded: str) -> bool:
    """Whether the question asks what a text cited by a later named one says ("NQ45 mà KL69 nhắc
    đến đề ra những giải pháp gì"), not a particular the citing text states beside its name
    ("NQ45, được KL69 viện dẫn, là nghị quyết của hội nghị nào")."""
    cited = _CITED_BY.search(folded)
    return bool(cited and _SAYS_WHAT.search(folded, cited.end()))


def _actor(text: str) -> str:
    """The body whose duty ``text`` asks about, or "" when it asks who ("Ai phải …", "Cơ quan
    nào …") or names nobody. "X thì Y có nhiệm vụ gì" asks about Y, X being where."""
    folded = fold(text)
    if len(folded) != len(text):
        return ""
    m = _ACTOR.match(folded)
    if not m:
        return ""
    start, end = m.span("actor")
    turning = _TURNING.match(folded, start)
    start = turning.end() if turning else start
    tail = _ACTOR_TAIL.search(folded, start, end)
    end = tail.start() if tail else end
    requiring = list(_REQUIRING.finditer(folded, start, end))
    if requiring and requiring[-1].end() < end:
        start = requiring[-1].end()
    elif requiring:
        before = folded[start : requiring[-1].start()]
        if before and not before.endswith(" thi"):
            return ""  # "Tỉnh ủy lưu ý phải chú trọng gì": who requires, not whose duty
        end = requiring[-1].start() - (len(" thi") if before else 0)
    cut = folded.rfind(" thi ", start, end)
    if cut >= 0:
        start = cut + len(" thi ")
    given = [m for m in _GIVES.finditer(folded, start, end) if m.end() < end]
    if given:  # "Ngoài việc …, KL69 còn giao X nhiệm vụ gì": X, to whom it is given
        start = given[-1].end()
    actor = text[start:end].strip(" ,")
    return "" if not actor or _NOT_ACTOR.search(fold(actor)) else actor


def _focus_noun(text: str) -> str:
    """What a question asks about, or "": the topic of "nói gì về X", the purpose of "Để X, …",
    else the noun its question word bears ("hạn chế" in "có những hạn chế gì") unless that only
    says what kind of answer is wanted ("giải pháp"): what the sentence answering it must speak
    of, whatever frame ("sau 10 năm thực hiện …") is around."""
    words = " ".join(_WORD.findall(fold(text)))
    topic = _TOPIC.search(words) or _REGARDED.search(words) or _PURPOSE.match(fold(text).lower())
    counted = _COUNTED_NOUN.search(words, topic.end()) if topic and topic.groupdict().get("turned") else None
    if counted and counted.group(2) not in _UNITS:
        return counted.group("noun")  # "còn tầm nhìn 2045 thì bao nhiêu doanh nghiệp …": what is counted
    if topic:
        about = re.split(
            r" (?:sau|qua|trong|theo|vay|a|nhe|nha|ha|nhi) ",  # "nói gì về dữ liệu vậy, dữ liệu …": a particle ends it
            topic.groupdict().get("about") or topic.groupdict().get("turned") or topic.group("topic"),
        )[0]
        return " ".join(_WORD.findall(about))
    noun = _asked_noun(text) or _head_noun(words)
    return "" if re.fullmatch(_ANSWER_KINDS, noun) else noun


def _head_noun(words: str) -> str:
    """ "X trong/của/về … là gì": X, the noun the question opens with, when the words right
    before "là gì" only say where X stands ("mục tiêu tổng quát trong kế hoạch của tỉnh ủy về KL69")."""
    m = _HEAD_NOUN.match(words)
    return "" if not m or re.fullmatch(rf"(?:{_KIND_WORDS}|van ban)", m.group("head")) else m.group("head")


def _asked_noun(text: str) -> str:
    """The noun the question word bears ("giải pháp" in "đề ra những giải pháp gì"), or ""."""
    folded = " ".join(_WORD.findall(fold(text)))
    m = _FOCUS.search(folded)
    if not m:
        return ""
    before = folded[: m.start()].split()
    words = before[-_FOCUS_WORDS:]
    cut = max((i + 1 for i, w in enumerate(words) if w in _FOCUS_BOUNDARY), default=0)
    if not cut and len(before) > len(words):  # no boundary in reach: the noun's start is unknown
        return ""
    focus = " ".join(words[cut:])
    return "" if re.fullmatch(rf"(?:{_KIND_WORDS}|van ban)", focus) else focus


def _answer_kind(text: str) -> str:
    """The noun the question word bears when it only says what kind of answer is wanted
    ("giải pháp", "nhiệm vụ"), or ""."""
    noun = _asked_noun(text)
    return noun if re.fullmatch(_ANSWER_KINDS, noun) else ""


def _listed_verb(text: str) -> str:
    """The verb whose objects "V những gì" asks to list ("xây dựng" in "hướng tới xây dựng những
    gì"), or "" when what stands before is no verb of its own ("gồm / đề ra những gì")."""
    m = _LISTED.search(" ".join(_WORD.findall(fold(text))))
    if not m:
        return ""
    words = m.group("verb").split()
    cut = max((i + 1 for i, w in enumerate(words) if w in _FOCUS_BOUNDARY), default=0)
    return " ".join(words[cut:])


def _premise(text: str) -> str:
    """What a why-question takes as said ("KL69 lại đặt mục tiêu X" in "Vì sao KL69 lại đặt mục
    tiêu X"), without the question word and "lại", or ""."""
    folded = fold(text)
    m = _WHY.search(folded)
    if not m or len(folded) != len(text):
        return ""
    rest = f"{text[: m.start()]} {text[m.end() :]}"
    return " ".join(w for w in rest.split() if fold(w) not in ("lai", "la", "vay")).strip(" ?,")


def _defined_term(text: str) -> str:
    """The term a "X là gì" question asks the meaning of (folded), or ""."""
    words = " ".join(_WORD.findall(fold(text)))
    m = _DEFINED_AS.search(words) or _DEFINITION.match(words) or _COMPUTED.search(words)
    if not m or _NOT_TERM.search(m.group("term")):
        return ""
    return re.sub(r"(?: (?:trong|theo|o))+$", "", m.group("term"))


def _body_subject(text: str) -> str:
    """A body the question opens with ("Ủy ban Kiểm tra … giám sát … thế nào"): what it asks is
    about that body, so the answer must name it. Its first words are enough (the name's head
    comes first; the verb after it is no part of the match)."""
    folded = fold(text)
    if len(folded) != len(text):
        return ""
    m = _BODY_FIRST.match(folded)
    if not m:
        return ""
    words = _WORD.findall(text[m.start("body") :])
    head = words[0]
    if _NOT_ACTOR.search(fold(" ".join(words[:_BODY_WORDS]))):
        return ""  # "ban nào chủ trì …" asks which body
    if fold(head) in _SHORT_HEADS and not (
        head.lower() in _MARKED_HEADS
        if has_diacritics(head)
        else head[0].isupper() or has_diacritics(text) or _MINISTRY.match(fold(" ".join(words[1:3])))
    ):
        return ""  # "số", "bỏ", "bạn"; or typed "so", "bo", "ban" without marks, as often those as a body
    return " ".join(words[:_BODY_WORDS])


def _role(text: str) -> str:
    """The role a "who holds it" question asks about ("Trưởng ban chỉ đạo" in "ai làm Trưởng ban
    chỉ đạo"), as typed, or ""."""
    folded = " ".join(_WORD.findall(fold(text)))
    m = _ROLE.match(folded)
    if not m:
        return ""
    return _as_typed(text, m, "before" if m.group("before") else "after")


def _as_typed(text: str, m: re.Match[str], group: str) -> str:
    """The words of ``text`` that ``group`` of ``m`` matched in its folded words (one word of the
    one for each word of the other, so the span maps back by counting words)."""
    first = len(m.string[: m.start(group)].split())
    return " ".join(_WORD.findall(text)[first : first + len(m.group(group).split())])


def _small_talk(folded_raw: str) -> str:
    """The kind of small talk when the whole message is small talk, "help", or ""."""
    rest = " ".join(_WORD.findall(folded_raw))
    rest = re.sub(rf"\b(?:{_ADDRESS}|oi|nhe|nha|nhi|a|ha|vay|z|v|ne|the|day)\b", " ", f" {rest} ")
    rest = " ".join(rest.split())
    if not rest:
        return "greeting" if folded_raw.strip() else ""
    if rest in HELP_PHRASES:
        return "help"
    for kind, phrases in SMALL_TALK.items():
        if rest in phrases:
            return kind
    # several small-talk phrases in one message: "chào, cảm ơn"
    remaining = f" {rest} "
    found = ""
    for kind, phrases in SMALL_TALK.items():
        for p in sorted(phrases, key=len, reverse=True):
            if f" {p} " in remaining:
                remaining = remaining.replace(f" {p} ", " ")
                found = found or kind
    return found if not remaining.strip() else ""


# "(NQ57) yêu cầu / phải ban hành chương trình … trước ngày nào": the text asks for an act (a
# deadline); its own particulars are not asked.
_REQUIRED_ACT = re.compile(rf"\b(?:{_REQUIRES}|phai|can|giao|chi dao)\s*$")


def _metadata_fields(folded: str, named: tuple[NamedDocument, ...]) -> tuple[str, ...]:
    """Which header facts the question asks about a text, in the order it asks them ("ban hành
    ngày nào, cơ quan nào ban hành": the date, then the body). A cue overlapping the cue of a
    field listed earlier in :data:`METADATA_CUES` is part of that one ("ai ký ban hành ngày 22/12"
    asks who signed, not also when), unless it goes on past "và" to ask more of the same verb
    ("ký ban hành tại đâu và vào ngày tháng năm nào": the place and the date)."""
    if not named and not _TEXT_WORDS.search(folded):
        return ()
    found: list[tuple[int, int, str]] = []  # start, end, field

    def part_of(a: int, b: int, start: int, end: int) -> bool:
        return a < end and start < b and not (b > end and re.search(r"\bva\b", folded[end:b]))

    for field, cues in METADATA_CUES.items():
        spans = [m.span() for cue in cues for m in re.finditer(rf"\b{cue}\b", folded)]
        spans = [(a, b) for a, b in spans if not _REQUIRED_ACT.search(folded[:a])]
        free = [(a, b) for a, b in spans if not any(part_of(a, b, start, end) for start, end, _ in found)]
        if free:
            found.append((*min(free), field))
    if not found and named and _DATE_ONLY.match(_without_names(folded, named)):
        return ("issued",)
    return tuple(field for _, _, field in sorted(found))


def _turned_to(folded: str, named: tuple[NamedDocument, ...]) -> tuple[NamedDocument, ...]:
    """The texts a question asks about: all it names, unless it ends by turning to one ("NQ20
    nói 11 cán bộ trên một vạn dân, còn NQ57 thì sao"): the others only say what to compare."""
    m = _TURNING_TO.search(folded)
    if m is None or len(named) < 2:
        return named
    return tuple(n for n in named if str(n.number) == m.group(1)) or named


def compound_parts(text: str, max_chars: int = 500) -> list[str]:
    """A question in two parts, each with its own question word ("Ban Chỉ đạo do ai làm Trưởng
    Ban, và Hội đồng Tư vấn có những ai?", "… là bao nhiêu; còn … là bao nhiêu?"), as two
    questions; the second gets the texts the first names when it names none. Else [text], and
    always for a message longer than ``max_chars`` (what retrieval reads: it is cut, not split)."""
    joins = list(_PARTS.finditer(text))
    if len(joins) != 1 or len(text) > max_chars:
        return [text]
    m = joins[0]
    first, second = text[: m.start()].strip(" ,;"), text[m.end() :].strip()
    if not (_ASKS.search(fold(first)) and _ASKS.search(fold(second))):
        return [text]
    named = named_documents(first)
    if named and not named_documents(second):
        second = f"Theo {', '.join(n.label for n in named)}, {second}"
    return [first, second]


def asked_years(text: str) -> tuple[int, ...]:
    """The years ``text`` asks about (see :attr:`Understanding.years`)."""
    return tuple(int(y) for y in _ASKED_YEAR.findall(_TEXT_YEAR.sub(" ", fold(text).lower())))


def _between_names(folded: str, named: tuple[NamedDocument, ...]) -> list[str]:
    """The words before the first text named, then those between each name and the next."""
    spans = sorted(
        (_name_start(folded, n), m.end() if (m := re.search(rf"\b{n.number}\b", folded)) else len(folded))
        for n in named
    )
    ends = [0] + [end for _, end in spans]
    return [folded[a:start] for a, (start, _) in zip(ends, spans)] or [""]


def _name_start(folded: str, named: NamedDocument) -> int:
    m = re.search(rf"\b{named.number}\b", folded)
    return max(0, folded.rfind(" ", 0, max(m.start() - 1, 0))) if m else len(folded)


def _without_names(folded: str, named: tuple[NamedDocument, ...]) -> str:
    """The folded question with the text names ("nq 20", "kết luận số 69-KL/TW") removed."""
    out = re.sub(r"\b(?:nghi quyet|ket luan|chi thi|quyet dinh|nq|kl|ct|qd|so|tw|van ban)\b", " ", folded)
    for n in named:
        out = re.sub(rf"\b{n.number}\b", " ", out)
    return " ".join(out.split())
