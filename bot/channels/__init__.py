"""Channels: translate between a platform (Telegram, Zalo, the web) and the neutral Request/Reply.

Every fact of the application (people, accounts and their blocked state, documents, acks,
broadcasts, questions) is read and written through ``bot.core``; a channel holds no SQL for them.
The one exception is each channel's own transport state, which nothing else reads: the web chat's
sessions and message log (``web_sessions``, ``web_messages``), the Zalo inbox stored before
answering (``inbox``) and Zalo OA read receipts (``receipts``).
"""
