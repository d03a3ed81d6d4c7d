-- The knowledge catalogue (owned by knowledge/ and embeddings/).
CREATE TABLE IF NOT EXISTS documents (
    id          INTEGER PRIMARY KEY,
    path        TEXT NOT NULL UNIQUE,      -- absolute path of the source file; "<file>#<law id>" in a corpus file
    file        TEXT NOT NULL DEFAULT '',  -- the file it came from (= path, except for corpus files)
    title       TEXT NOT NULL,
    number      TEXT,                      -- "69-KL/TW"
    issued      TEXT,                      -- ISO date
    issuer      TEXT,
    kind        TEXT,
    source      TEXT,
    note        TEXT,
    version     TEXT NOT NULL,             -- sha256 of the file bytes (of the law's record in a corpus file)
    size        INTEGER NOT NULL,
    ingested_at TEXT NOT NULL,             -- when this version was read
    removed_at  TEXT                       -- the file disappeared: no chunks/duties, row kept for acks
);
CREATE INDEX IF NOT EXISTS documents_file ON documents(file);
CREATE INDEX IF NOT EXISTS documents_version ON documents(version);

-- What was last seen of each ingested file, so that an unchanged file costs a stat, not a parse.
CREATE TABLE IF NOT EXISTS source_files (
    path        TEXT PRIMARY KEY,          -- absolute path
    version     TEXT NOT NULL,             -- sha256 of the bytes
    size        INTEGER NOT NULL,
    mtime_ns    INTEGER NOT NULL,
    checked_ns  INTEGER NOT NULL,          -- wall clock (ns) when the file was last hashed
    parser      TEXT NOT NULL              -- loader version + chunk settings that produced the rows
);

-- Files fetched by `quantriet ingest URL`: the kept copy (a source_files path, documents.file)
-- and where and when it came from, shown with the document in /vanban and the exports.
CREATE TABLE IF NOT EXISTS fetched_files (
    path          TEXT PRIMARY KEY,        -- absolute path of the kept copy under <data>/sources/
    url           TEXT NOT NULL UNIQUE,    -- as the user gave it
    final_url     TEXT NOT NULL,           -- after redirects
    fetched_at    TEXT NOT NULL,           -- last successful fetch (UTC)
    changed_at    TEXT NOT NULL,           -- last fetch that brought different bytes (UTC)
    etag          TEXT,                    -- validators for a conditional re-fetch
    last_modified TEXT
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

-- BM25 over matching keys (owned by embeddings/lexical.py, filled by `embeddings.search.refresh`):
-- rowid = chunks.id; the columns hold tone-canonical/folded keys with syllable bigrams
-- ("khoa_học"), never display text (answers quote chunks.text). key = hash of the row's inputs,
-- facets = "deadline date figure" flags of the chunk.
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts USING fts5(
    body, body_fold, context, context_fold, key UNINDEXED, facets UNINDEXED,
    tokenize = "unicode61 remove_diacritics 0 tokenchars '_'"
);
-- Changed by embeddings.search.refresh whenever the indexes changed: every Searcher (in any process)
-- compares it with what it loaded and reloads.
CREATE TABLE IF NOT EXISTS search_generation (id INTEGER PRIMARY KEY CHECK (id = 1), value TEXT NOT NULL);
-- Document frequency of each key, for idf-weighted question coverage.
CREATE VIRTUAL TABLE IF NOT EXISTS chunks_fts_vocab USING fts5vocab(chunks_fts, 'row');
