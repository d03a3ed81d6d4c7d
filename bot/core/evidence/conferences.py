"""Quán triệt conferences: invitation, rotating QR check-in, attendance per unit.

Most cadres study a conclusion at a conference (hội nghị học tập, quán triệt). An officer creates
one for an assignment (an existing one, or a new one for a document with the invited units as its
audience); the invited people are resolved at creation, like an assignment's members, and the
invitation goes out through the outbox on every channel, with a reminder the day before.

At the venue a screen shows a QR code whose check-in code changes every ``qr_seconds``: the code
is an HMAC of the conference's secret and the time window, so it cannot be guessed, and a photo
sent to someone at home stops working after ``valid_windows`` windows. The code opens the bot on
Telegram (``/start hn_<code>``), Zalo (``diemdanh <code>``) or the web chat; whichever channel, the
check-in is :func:`check_in`, which writes an acknowledgement with channel "hội nghị" in the same
ledger (attested by the organising officer, ``recorded_by``) and the attendance row. Check-ins
before the doors open or after the end are refused.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot import store
from bot.app import App
from bot.core import clock
from bot.core.chat.messages import Reply
from bot.core.errors import UserError
from bot.core.evidence import assignments, ledger
from bot.core.outbox import broadcasts
from bot.core.roster import audit
from bot.core.roster.roster import Person, audience_people, unit_paths

MAX_TITLE = 200
MAX_PLACE = 300
# "12_K7QX2M": conference id and the code of the time window (base32 letters and digits).
CODE = re.compile(r"(\d{1,9})_([A-Za-z2-7]{6,16})")
TELEGRAM_PREFIX = "hn_"  # /start hn_12_K7QX2M (Telegram deep links allow A-Z a-z 0-9 _ -)

CODE_EXPIRED = (
    "Mã điểm danh này không đúng hoặc đã hết hiệu lực (mã trên màn hình hội nghị đổi sau mỗi phút). "
    "Đồng chí hãy quét lại mã đang hiển thị tại hội nghị."
)
CODE_INVALID = "Mã điểm danh không đúng. Đồng chí hãy quét lại mã QR đang hiển thị tại hội nghị."
NOT_OPEN = "Hội nghị «{title}» chưa mở điểm danh: điểm danh từ {opens}."
ENDED = "Hội nghị «{title}» đã kết thúc lúc {ends}; không còn điểm danh được."
INVITATION = (
    "GIẤY MỜI: {title}\n"
    "Văn bản quán triệt: {document}\n"
    "Thời gian: {when}\n"
    "{where}"
    "Khi đến dự, đồng chí quét mã QR trên màn hình hội nghị để điểm danh; điểm danh được ghi nhận là "
    "đã học tập, quán triệt văn bản."
)
REMINDER = "Nhắc lịch: ngày mai đồng chí dự hội nghị.\n"


@dataclass(frozen=True)
class ConferenceSettings:
    """``[conferences]`` in config.toml (documented there)."""

    qr_seconds: int = 60
    valid_windows: int = 3
    opens_minutes_before: int = 60

    @classmethod
    def load(cls, app: App) -> ConferenceSettings:
        return app.config.section("conferences", cls)


@dataclass(frozen=True)
class ConferenceDraft:
    """What the officer's form says; ``assignment_id`` None: a new assignment of ``document_id``."""

    title: str
    starts_at: datetime  # aware
    ends_at: datetime
    units: list[int]
    place: str = ""
    online_link: str = ""
    assignment_id: int | None = None
    document_id: int | None = None


@dataclass(frozen=True)
class Conference:
    id: int
    assignment: assignments.Assignment
    title: str
    starts_at: datetime  # UTC
    ends_at: datetime
    place: str
    online_link: str
    units: list[int]
    secret: str
    created_by: int | None
    created_at: datetime
    invitation_id: int | None
    reminder_id: int | None

    def status(self, now: datetime) -> str:
        """ "Sắp diễn ra", "Đang diễn ra" or "Đã kết thúc" at ``now``."""
        if now < self.starts_at:
            return "Sắp diễn ra"
        return "Đang diễn ra" if now <= self.ends_at else "Đã kết thúc"

    @property
    def when(self) -> str:
        """ "08:00–11:00 ngày 05/12/2026" (Vietnam time)."""
        start, end = clock.local(self.starts_at), clock.local(self.ends_at)
        if start.date() == end.date():
            return f"{start:%H:%M}–{end:%H:%M} ngày {start:%d/%m/%Y}"
        return f"{clock.format_spoken(self.starts_at)} đến {clock.format_spoken(self.ends_at)}"

    def where_lines(self) -> str:
        lines = ""
        if self.place:
            lines += f"Địa điểm: {self.place}\n"
        if self.online_link:
            lines += f"Dự trực tuyến: {self.online_link}\n"
        return lines


@dataclass(frozen=True)
class CheckIn:
    conference: Conference
    created: bool  # False: this person had already checked in (the first check-in is kept)
    checked_at: str  # UTC ISO
    acked_at: str  # the ledger row's time (earlier when they had confirmed before)


@dataclass(frozen=True)
class UnitAttendance:
    unit_id: int | None
    name: str
    invited: int
    present: int

    @property
    def percent(self) -> float:
        return round(100 * self.present / self.invited, 1) if self.invited else 0.0


@dataclass(frozen=True)
class Attendance:
    units: list[UnitAttendance]  # by unit path
    invited: int
    present: int  # invited people who checked in
    uninvited: int  # members of the assignment who came without being invited
    paper: int = 0  # invited people recorded from a signed attendance sheet (not checked in by QR)

    @property
    def percent(self) -> float:
        return round(100 * self.present / self.invited, 1) if self.invited else 0.0


# ------------------------------------------------------------------------------------- creating


def create(app: App, actor: Person | None, draft: ConferenceDraft) -> int:
    """Create the conference (and its assignment when none is given), resolve the invited people
    and queue the invitation to them. Officer or admin; audited."""
    audit.require(
        app,
        actor,
        "conference.create",
        audit.OFFICERS,
        title=draft.title,
        starts=draft.starts_at.isoformat(),
        units=draft.units,
        assignment_id=draft.assignment_id,
        document_id=draft.document_id,
    )
    _validate(app, draft)
    assignment_id = draft.assignment_id
    if assignment_id is None:
        if draft.document_id is None:
            raise UserError("Hãy chọn văn bản quán triệt hoặc một đợt quán triệt đã giao.")
        due = clock.local(draft.ends_at).date()
        assignment_id = assignments.create_assignment(app, actor, draft.document_id, due, draft.units or None)
    assignment = assignments.require_assignment(app, assignment_id)
    members = set(assignments.member_ids(app, assignment_id))
    invited = [p for p in audience_people(app, draft.units or None) if p in members]
    if not invited:
        raise UserError("Không có ai trong các đơn vị được mời thuộc danh sách được giao của đợt quán triệt này.")
    with store.transaction(app.db, immediate=True):
        conference_id = store.new_id(
            app.db.execute(
                "INSERT INTO conferences (assignment_id, title, starts_at, ends_at, place, online_link, units, secret, "
                "created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    assignment_id,
                    draft.title,
                    store.isotime(draft.starts_at),
                    store.isotime(draft.ends_at),
                    draft.place,
                    draft.online_link,
                    json.dumps(draft.units),
                    secrets.token_hex(32),
                    actor.id if actor else None,
                    store.isotime(app.now()),
                ),
            )
        )
        app.db.conn.executemany(
            "INSERT INTO conference_invitees (conference_id, person_id) VALUES (?, ?)",
            [(conference_id, p) for p in invited],
        )
    conference = require(app, conference_id)
    invitation = broadcasts.enqueue(
        app, "notice", invitation_message(conference), invited, actor.id if actor else None, assignment.id
    )
    app.db.execute("UPDATE conferences SET invitation_id = ? WHERE id = ?", (invitation, conference_id))
    return conference_id


def _validate(app: App, draft: ConferenceDraft) -> None:
    if not draft.title.strip() or len(draft.title) > MAX_TITLE:
        raise UserError(f"Hãy nhập tên hội nghị (tối đa {MAX_TITLE} ký tự).")
    if draft.ends_at <= draft.starts_at:
        raise UserError("Giờ kết thúc phải sau giờ bắt đầu.")
    if draft.ends_at <= app.now():
        raise UserError("Thời gian hội nghị đã qua; hãy chọn ngày giờ sắp tới.")
    if not draft.place.strip() and not draft.online_link.strip():
        raise UserError("Hãy ghi địa điểm hoặc đường dẫn họp trực tuyến.")
    if len(draft.place) > MAX_PLACE or len(draft.online_link) > MAX_PLACE:
        raise UserError(f"Địa điểm và đường dẫn tối đa {MAX_PLACE} ký tự.")
    if draft.online_link and not re.match(r"https?://\S+$", draft.online_link):
        raise UserError("Đường dẫn họp trực tuyến phải bắt đầu bằng https://")


def invitation_message(conference: Conference) -> Reply:
    return Reply(
        INVITATION.format(
            title=conference.title,
            document=conference.assignment.document.label,
            when=conference.when,
            where=conference.where_lines(),
        )
    )


# ------------------------------------------------------------------------------------- reading

_SQL = (
    "SELECT id, assignment_id, title, starts_at, ends_at, place, online_link, units, secret, created_by, "
    "created_at, invitation_id, reminder_id FROM conferences"
)


def _conference(app: App, row) -> Conference:
    cid, aid, title, starts, ends, place, link, units, secret, by, created, invitation, reminder = row
    return Conference(
        cid,
        assignments.require_assignment(app, aid),
        title,
        datetime.fromisoformat(starts),
        datetime.fromisoformat(ends),
        place,
        link,
        json.loads(units),
        secret,
        by,
        datetime.fromisoformat(created),
        invitation,
        reminder,
    )


def get(app: App, conference_id: int) -> Conference | None:
    row = app.db.execute(_SQL + " WHERE id = ?", (conference_id,)).fetchone()
    return _conference(app, row) if row else None


def require(app: App, conference_id: int) -> Conference:
    found = get(app, conference_id)
    if found is None:
        raise UserError(f"Không có hội nghị số {conference_id}.")
    return found


def list_conferences(app: App) -> list[Conference]:
    """Every conference, the latest start first."""
    return [_conference(app, r) for r in app.db.execute(_SQL + " ORDER BY starts_at DESC, id DESC")]


def attendance(app: App, conference_id: int) -> Attendance:
    """Invited and present people per unit (direct unit, by path), and the totals."""
    paths = unit_paths(app)
    rows = []
    invited = present = 0
    for unit_id, count, came in app.db.execute(
        """
        SELECT p.unit_id, COUNT(*), COUNT(c.person_id)
        FROM conference_invitees i JOIN people p ON p.id = i.person_id
        LEFT JOIN conference_checkins c ON c.conference_id = i.conference_id AND c.person_id = i.person_id
        WHERE i.conference_id = ? GROUP BY p.unit_id
        """,
        (conference_id,),
    ):
        rows.append(UnitAttendance(unit_id, paths.get(unit_id, "—"), count, came))
        invited += count
        present += came
    (uninvited,) = app.db.execute(
        "SELECT COUNT(*) FROM conference_checkins c WHERE c.conference_id = ? AND NOT EXISTS "
        "(SELECT 1 FROM conference_invitees i WHERE i.conference_id = c.conference_id AND i.person_id = c.person_id)",
        (conference_id,),
    ).fetchone()
    (paper,) = app.db.execute(
        "SELECT COUNT(*) FROM conference_invitees i JOIN conferences c ON c.id = i.conference_id "
        "JOIN assignments a ON a.id = c.assignment_id "
        "JOIN acks k ON k.person_id = i.person_id AND k.document_id = a.document_id AND k.version = a.version "
        "WHERE i.conference_id = ? AND k.channel = ? AND k.source_hash IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM conference_checkins x WHERE x.conference_id = i.conference_id AND x.person_id = i.person_id)",
        (conference_id, ledger.CONFERENCE),
    ).fetchone()
    return Attendance(sorted(rows, key=lambda u: u.name), invited, present, uninvited, paper)


def view(app: App, actor: Person | None, conference_id: int) -> tuple[Conference, Attendance]:
    """The conference with its attendance, for an officer (audited like a progress report)."""
    audit.require(app, actor, "progress", audit.OFFICERS, conference_id=conference_id)
    return require(app, conference_id), attendance(app, conference_id)


# ------------------------------------------------------------------------------------ check-in


def _window(app: App, moment: datetime | None = None) -> int:
    seconds = ConferenceSettings.load(app).qr_seconds
    return int((moment or app.now()).timestamp()) // max(1, seconds)


def _window_code(conference: Conference, window: int) -> str:
    digest = hmac.new(conference.secret.encode(), f"{conference.id}:{window}".encode(), hashlib.sha256).digest()
    return base64.b32encode(digest).decode()[:8]


def current_code(app: App, conference: Conference) -> tuple[str, int]:
    """The check-in code shown now ("12_K7QX2MAB") and the seconds until it changes."""
    seconds = max(1, ConferenceSettings.load(app).qr_seconds)
    now = app.now().timestamp()
    window = int(now) // seconds
    return f"{conference.id}_{_window_code(conference, window)}", int(seconds - now % seconds) or seconds


def parse_code(text: str) -> tuple[int, str] | None:
    """(conference id, window code) from "12_K7QX2MAB" (also after "hn_"); None when malformed."""
    text = text.strip()
    if text.lower().startswith(TELEGRAM_PREFIX):
        text = text[len(TELEGRAM_PREFIX) :]
    found = CODE.fullmatch(text)
    return (int(found.group(1)), found.group(2).upper()) if found else None


def check_in(app: App, person: Person, code: str, channel: str) -> CheckIn:
    """Record that ``person`` is at the conference named by the scanned ``code``.

    The code must belong to one of the last ``valid_windows`` windows; the conference must be open
    (from ``opens_minutes_before`` its start to its end). The person must be a member of the
    conference's assignment; the acknowledgement (channel "hội nghị", attested by the organiser)
    joins the ledger unless they had confirmed before, and a second check-in keeps the first.
    """
    parsed = parse_code(code)
    conference = get(app, parsed[0]) if parsed else None
    if parsed is None or conference is None:
        raise UserError(CODE_INVALID)
    settings = ConferenceSettings.load(app)
    now = app.now()
    window = _window(app, now)
    if not any(
        hmac.compare_digest(parsed[1], _window_code(conference, window - k)) for k in range(settings.valid_windows)
    ):
        raise UserError(CODE_EXPIRED)
    opens = conference.starts_at - timedelta(minutes=settings.opens_minutes_before)
    if now < opens:
        raise UserError(NOT_OPEN.format(title=conference.title, opens=clock.format_spoken(opens)))
    if now > conference.ends_at:
        raise UserError(ENDED.format(title=conference.title, ends=clock.format_spoken(conference.ends_at)))
    earlier = app.db.execute(
        "SELECT checked_at, ack_id FROM conference_checkins WHERE conference_id = ? AND person_id = ?",
        (conference.id, person.id),
    ).fetchone()
    if earlier is not None:
        acked = app.db.execute("SELECT acked_at FROM acks WHERE id = ?", (earlier[1],)).fetchone()[0]
        return CheckIn(conference, False, earlier[0], acked)
    ack = ledger.acknowledge(
        app, person.id, conference.assignment.id, ledger.CONFERENCE, recorded_by=conference.created_by
    )
    checked_at = store.isotime(now)
    app.db.execute(
        "INSERT OR IGNORE INTO conference_checkins (conference_id, person_id, channel, checked_at, ack_id) "
        "VALUES (?, ?, ?, ?, ?)",
        (conference.id, person.id, channel, checked_at, ack.row["id"]),
    )
    audit.record(app, person, "conference.checkin", True, conference_id=conference.id, new_ack=ack.created)
    return CheckIn(conference, True, checked_at, ack.row["acked_at"])


# ------------------------------------------------------------------------------------ reminders


def remind_due(app: App, send_hour: int) -> list[int]:
    """Queue the day-before reminder of every conference that starts tomorrow (Vietnam time), from
    ``send_hour`` on, to the invited people not checked in yet; once per conference. A conference
    created the day before (or later) needs none: its invitation is that fresh."""
    now = clock.local(app.now())
    if now.hour < send_hour:
        return []
    tomorrow = now.date() + timedelta(days=1)
    queued = []
    for conference in list_conferences(app):
        starts = clock.local(conference.starts_at)
        if conference.reminder_id is not None or starts.date() != tomorrow:
            continue
        if clock.local(conference.created_at).date() >= now.date():
            continue
        people = [
            r[0]
            for r in app.db.execute(
                "SELECT i.person_id FROM conference_invitees i JOIN people p ON p.id = i.person_id "
                "WHERE i.conference_id = ? AND p.status = 'active' AND NOT EXISTS (SELECT 1 FROM conference_checkins c "
                "WHERE c.conference_id = i.conference_id AND c.person_id = i.person_id) ORDER BY i.person_id",
                (conference.id,),
            )
        ]
        if not people:
            continue
        message = invitation_message(conference)
        broadcast_id = broadcasts.enqueue(
            app, "reminder", Reply(REMINDER + message.text), people, conference.created_by, conference.assignment.id
        )
        app.db.execute("UPDATE conferences SET reminder_id = ? WHERE id = ?", (broadcast_id, conference.id))
        queued.append(broadcast_id)
    return queued
