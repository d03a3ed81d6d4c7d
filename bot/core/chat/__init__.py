"""The conversation: neutral Request/Reply types, per-chat sessions, the Vietnamese wording,
the router and the handlers a turn is dispatched to (registration, library, compose, officers, study)."""
