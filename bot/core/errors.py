"""Errors that carry a Vietnamese message for the user.

Core functions raise these for anything the *user* did wrong or may not do; a channel catches
:class:`UserError` and shows ``message`` as it is. Everything else is a bug: it goes to the log and
the user gets a generic apology. Keeping the two apart is what lets bad input never crash a channel.
"""

from __future__ import annotations


class UserError(Exception):
    """Something the user can fix or must be told; ``message`` is shown to them verbatim."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class PermissionDenied(UserError):
    """The acting person's role does not allow the action (the refusal is already audited)."""
