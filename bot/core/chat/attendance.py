"""Conference attendance in chat: /diemdanh <code>, or the Telegram deep link from the venue's QR.

Apart from :mod:`bot.core.chat.study` because the conference library sends invitations through
the outbox, which builds on study (one module each way would be an import cycle).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.core import clock
from bot.core.chat import texts
from bot.core.chat.messages import Reply
from bot.core.evidence import conferences

if TYPE_CHECKING:
    from bot.core.chat.turn import Turn


def check_in(turn: Turn, arg: str) -> list[Reply]:
    """/diemdanh <code> (Zalo, web) or /start hn_<code> (Telegram deep link from the venue's QR):
    conference attendance, which is also the acknowledgement (see bot.core.evidence.conferences)."""
    if not arg.strip():
        return [Reply(texts.CHECKIN_HOW)]
    person = turn.member()
    done = conferences.check_in(turn.app, person, arg, turn.request.channel)
    template = texts.CHECKIN_DONE if done.created else texts.CHECKIN_ALREADY
    return [
        Reply(
            template.format(
                name=person.full_name,
                title=done.conference.title,
                at=clock.format_spoken(done.checked_at),
                document=done.conference.assignment.document.label,
            )
        )
    ]
