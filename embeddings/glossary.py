"""English questions meet Vietnamese texts through a small glossary of public-administration terms.

The multilingual encoder places an English question near the right Vietnamese passage, but not
reliably enough to rank or to judge confidence on its own, and word overlap with Vietnamese text
is zero. So an English question (detected by its words not being Vietnamese syllables) gets its
domain words replaced by their Vietnamese equivalents for *matching only* (BM25, coverage,
document references); the encoder still sees the question as typed. Unknown words stay as they
are. The list covers the vocabulary of party and state plans, not any particular question.
"""

from __future__ import annotations

import re
from functools import lru_cache

ENGLISH: dict[str, str] = {
    # documents and bodies
    "resolution": "nghị quyết", "resolutions": "nghị quyết", "conclusion": "kết luận",
    "directive": "chỉ thị", "decision": "quyết định", "decree": "nghị định", "circular": "thông tư",
    "law": "luật", "laws": "luật", "plan": "kế hoạch", "plans": "kế hoạch",
    "programme": "chương trình", "program": "chương trình", "programs": "chương trình",
    "action program": "chương trình hành động", "strategy": "chiến lược", "politburo": "bộ chính trị",
    "political bureau": "bộ chính trị", "secretariat": "ban bí thư", "central committee": "ban chấp hành trung ương",
    "general secretary": "tổng bí thư", "party": "đảng", "party committee": "cấp ủy",
    "party committees": "cấp ủy", "provincial party committee": "tỉnh ủy", "government": "chính phủ",
    "national assembly": "quốc hội", "people's council": "hội đồng nhân dân",
    "people's committee": "ủy ban nhân dân", "fatherland front": "mặt trận tổ quốc",
    "front": "mặt trận", "youth union": "đoàn thanh niên", "propaganda": "tuyên giáo",
    "propaganda department": "ban tuyên giáo", "steering committee": "ban chỉ đạo",
    "advisory council": "hội đồng tư vấn", "province": "tỉnh", "provincial": "tỉnh",
    "ministry": "bộ", "ministries": "bộ", "agency": "cơ quan", "agencies": "cơ quan",
    "unit": "đơn vị", "units": "đơn vị", "locality": "địa phương", "localities": "địa phương",
    "organization": "tổ chức", "organizations": "tổ chức", "enterprise": "doanh nghiệp",
    "enterprises": "doanh nghiệp", "business": "doanh nghiệp", "businesses": "doanh nghiệp",
    "company": "doanh nghiệp", "companies": "doanh nghiệp", "people": "nhân dân",
    "citizens": "người dân", "scientists": "nhà khoa học", "experts": "chuyên gia",
    "cadres": "cán bộ", "officials": "cán bộ", "party members": "đảng viên",
    # actions
    "implement": "thực hiện", "implementing": "thực hiện", "implementation": "thực hiện",
    "carry out": "thực hiện", "deploy": "triển khai", "finish": "hoàn thành", "complete": "hoàn thành",
    "completed": "hoàn thành", "completion": "hoàn thành", "disseminate": "phổ biến quán triệt",
    "disseminating": "phổ biến quán triệt", "dissemination": "phổ biến quán triệt",
    "study": "quán triệt", "communicate": "tuyên truyền", "communication": "tuyên truyền",
    "build": "xây dựng", "develop": "phát triển", "development": "phát triển",
    "monitor": "theo dõi", "monitoring": "theo dõi", "supervise": "giám sát",
    "supervision": "giám sát", "inspect": "kiểm tra", "inspection": "kiểm tra",
    "report": "báo cáo", "reports": "báo cáo", "review": "sơ kết tổng kết", "lead": "lãnh đạo",
    "leads": "lãnh đạo", "leadership": "lãnh đạo", "direct": "chỉ đạo", "guide": "hướng dẫn",
    "sign": "ký", "signed": "ký", "issue": "ban hành", "issued": "ban hành",
    "invest": "đầu tư", "investment": "đầu tư", "attract": "thu hút", "cooperate": "hợp tác",
    "cooperation": "hợp tác", "reform": "đổi mới", "renew": "đổi mới",
    # topics
    "science": "khoa học", "scientific": "khoa học", "technology": "công nghệ",
    "technologies": "công nghệ", "innovation": "đổi mới sáng tạo",
    "digital transformation": "chuyển đổi số", "digital economy": "kinh tế số",
    "digital government": "chính phủ số", "digital society": "xã hội số", "digital": "số",
    "data": "dữ liệu", "database": "cơ sở dữ liệu", "infrastructure": "hạ tầng",
    "artificial intelligence": "trí tuệ nhân tạo", "semiconductor": "bán dẫn",
    "semiconductors": "bán dẫn", "startup": "khởi nghiệp", "start-up": "khởi nghiệp",
    "ecosystem": "hệ sinh thái", "research": "nghiên cứu", "human resources": "nguồn nhân lực",
    "talent": "nhân tài", "talents": "nhân tài", "budget": "ngân sách", "state budget": "ngân sách nhà nước",
    "high technology": "công nghệ cao", "high-tech": "công nghệ cao", "export": "xuất khẩu",
    "exports": "xuất khẩu", "growth": "tăng trưởng", "productivity": "năng suất",
    "intellectual property": "sở hữu trí tuệ", "patent": "sáng chế", "patents": "sáng chế",
    "cybersecurity": "an ninh mạng", "security": "an ninh", "defence": "quốc phòng",
    "defense": "quốc phòng", "institutions": "thể chế", "policy": "chính sách",
    "policies": "chính sách", "mechanism": "cơ chế", "market": "thị trường",
    "international": "quốc tế", "national": "quốc gia", "online public services": "dịch vụ công trực tuyến",
    "public services": "dịch vụ công", "cashless": "không dùng tiền mặt", "coverage": "phủ sóng",
    # goals and time
    "target": "mục tiêu", "targets": "mục tiêu", "goal": "mục tiêu", "goals": "mục tiêu",
    "objective": "mục tiêu", "objectives": "mục tiêu", "vision": "tầm nhìn", "task": "nhiệm vụ",
    "tasks": "nhiệm vụ", "duty": "nhiệm vụ", "duties": "nhiệm vụ", "solution": "giải pháp",
    "solutions": "giải pháp", "viewpoint": "quan điểm", "viewpoints": "quan điểm",
    "deadline": "thời hạn", "deadlines": "thời hạn", "time limit": "thời hạn", "date": "ngày",
    "year": "năm", "years": "năm", "month": "tháng", "percent": "phần trăm",
    "percentage": "tỷ lệ", "rate": "tỷ lệ", "share": "tỷ trọng",
}

# Vietnamese syllables (compared without marks): an optional onset, one to three vowels, an
# optional coda. English words mostly fail it ("when", "plans", "must", "finish").
_SYLLABLE = re.compile(
    r"^(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdghklmnprstvx])?[aeiouy]{1,3}(?:ch|ng|nh|[cmnpt])?$"
)


def is_vietnamese_syllable(folded_word: str) -> bool:
    return bool(_SYLLABLE.match(folded_word))


@lru_cache(maxsize=1)
def _pattern() -> re.Pattern[str]:
    phrases = sorted(ENGLISH, key=len, reverse=True)
    return re.compile(r"(?<![\w'])(" + "|".join(re.escape(p) for p in phrases) + r")(?![\w'])",
                      re.IGNORECASE)


def translate(text: str) -> str:
    """``text`` with glossary words replaced by their Vietnamese equivalents."""
    return _pattern().sub(lambda m: ENGLISH[m.group(1).lower()], text)
