"""From a folder of documents to a catalogue: text, sections, chunks and duties.

- ``loaders``: a file → :class:`~knowledge.loaders.LoadedDocument` (txt, md, docx via ``wordfiles``,
  pdf, html via ``webpages``, JSON/JSONL corpora via ``corpora``), or a ``DocumentError``.
- ``sections``: the section tree from Vietnamese numbering; ``split_sentences``.
- ``chunks``: passages that keep their section path; ``duties``: who must do what by when.
- ``dates``: dates, deadlines and periods (``find_dates``); ``text``: NFC, folding, tone placement.
- ``catalogue``: ``ingest(db, settings, paths)`` keeps the SQLite catalogue in step with the files.
- ``storage``: the transaction and timestamp rules shared with the application's store.

A library: it takes a database and its own settings and imports nothing from ``bot``.
"""
