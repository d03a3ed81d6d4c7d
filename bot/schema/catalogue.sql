-- The knowledge catalogue (owned by knowledge/ and embeddings/).
CREATE TABLE IF NOT EXISTS documents (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL UNIQUE,      -- absolute path of the source file
    title       TEXT NOT NULL,
    number      TEXT,                      -- "69-KL/TW"
    issued      TEXT,                      -- ISO date
    issuer      TEXT,
    kind        TEXT,
    source      TEXT,
    version     TEXT NOT NULL,             -- sha256 of the file bytes
    size        INTEGER NOT NULL,
    ingested_at TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS chunks (
    id           INTEGER PRIMARY KEY,
    document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    seq          INTEGER NOT NULL,         -- order within the document
    section_path TEXT NOT NULL DEFAULT '', -- "II. Nhiệm vụ > 1. ..."
    heading      TEXT NOT NULL DEFAULT '',
    text         TEXT NOT NULL,
    text_hash    TEXT NOT NULL             -- sha256 of what is embedded (re-embed only on change)
);
CREATE INDEX IF NOT EXISTS chunks_document ON chunks(document_id, seq);
CREATE INDEX IF NOT EXISTS chunks_hash ON chunks(text_hash);

CREATE TABLE IF NOT EXISTS duties (
    id           INTEGER PRIMARY KEY,
    document_id  INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    chunk_id     INTEGER REFERENCES chunks(id) ON DELETE CASCADE,
    section_path TEXT NOT NULL DEFAULT '',
    actor        TEXT NOT NULL,
    task         TEXT NOT NULL,
    due_date     TEXT,                     -- ISO date when the text gives one
    due_text     TEXT,                     -- the words of the text: "trước ngày 15/4/2024"
    period       TEXT,                     -- "trong năm 2025", "định kỳ 6 tháng", "đến năm 2030"
    sentence     TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS duties_document ON duties(document_id);
