"""The catalogue: files in, documents/chunks/duties rows out, kept in step with the folders.

Rules that the rest of the application relies on:
- a document's ``id`` never changes for a given path: assignments and acknowledgements point at
  it. A new version of the file updates the row (``version`` changes) and replaces its chunks and
  duties in one transaction, so a reader sees the old version or the new one, never a mix;
- an unchanged file costs a ``stat`` (or a hash when its timestamp is too recent to trust): no
  parsing. Changing the chunk settings or the loader re-reads everything once;
- a file that cannot be read is reported and changes nothing: its last good version stays;
- a file gone from an ingested folder loses its chunks and duties (it is no longer searched) but
  keeps its ``documents`` row, marked ``removed_at``, because acknowledgements refer to it;
- byte-identical copies (the sample shipped in the repo and the same file in ../shared) are
  catalogued once and reported as duplicates.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlite_utils

from knowledge.chunks import Chunk, make_chunks
from knowledge.duties import Duty, extract_duties
from knowledge.loaders import (
    CORPUS_SUFFIXES,
    SUPPORTED_SUFFIXES,
    DocumentError,
    LoadedDocument,
    check_size,
    load_bytes,
    sha256,
)
from knowledge.settings import KnowledgeSettings
from knowledge.storage import isotime, transaction
from knowledge.text import fold, replace_abbreviations

log = logging.getLogger(__name__)

# Bump when loading/sectioning/chunking/duty extraction changes what rows a file produces.
PARSER_VERSION = "1"
# A file modified this close to when it was last hashed may change again within the same
# timestamp tick: it is hashed again rather than trusted by size and time ("racy" timestamps).
_RACY_NS = 2_000_000_000


@dataclass
class IngestReport:
    """What one ingest did. Paths are document paths ("<file>#<law id>" inside a corpus file)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)  # (path, Vietnamese message)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, path it repeats)
    changed_ids: list[int] = field(default_factory=list)  # documents added or updated
    removed_ids: list[int] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.changed_ids or self.removed_ids)

    @property
    def ingested(self) -> int:
        """Documents now in the catalogue from this run's paths (new, updated or unchanged)."""
        return len(self.added) + len(self.updated) + len(self.unchanged)

    def summary(self) -> str:
        """A Vietnamese summary for the command line and the admin page."""
        lines = [
            f"Văn bản mới: {len(self.added)}; cập nhật: {len(self.updated)}; không đổi: "
            f"{len(self.unchanged)}; đã gỡ: {len(self.removed)}; lỗi: {len(self.errors)}."
        ]
        lines += [f"  + {p}" for p in self.added[:20]]
        lines += [f"  ~ {p}" for p in self.updated[:20]]
        lines += [f"  - {p} (tệp không còn, đã gỡ khỏi tìm kiếm)" for p in self.removed[:20]]
        more = len(self.added) + len(self.updated) + len(self.removed) - 60
        if more > 0:
            lines.append(f"  … và {more} văn bản khác")
        lines += [f"  = {p} trùng nội dung với {orig}, bỏ qua" for p, orig in self.duplicates]
        lines += [f"  ! {p}: {message}" for p, message in self.errors]
        return "\n".join(lines)


def ingest(
    db: sqlite_utils.Database,
    settings: KnowledgeSettings,
    paths: Iterable[Path | str] | None = None,
    now: datetime | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Bring the catalogue in line with ``paths`` (files or folders; None = ``settings.folders``,
    which the caller gives as absolute paths). ``now`` stamps the rows written (default: the wall clock).
    ``progress(files done, files found)`` is called after each file (a corpus file counts once)."""
    started = time.perf_counter()
    stamp = isotime(now)
    report = IngestReport()
    if paths is None:
        roots = [Path(f) for f in settings.folders]
        roots = [r for r in roots if r.exists()]
    else:
        roots = []
        for p in paths:
            root = Path(p).expanduser().resolve()
            if root.exists():
                roots.append(root)
            else:
                report.errors.append((str(p), "Không tìm thấy tệp hoặc thư mục."))
    files, folders = _discover(roots, settings, report, explicit=paths is not None)
    parser = f"{PARSER_VERSION}:{settings.chunking}"
    known = {r["path"]: r for r in db.query("SELECT * FROM source_files")}
    seen: set[str] = set()
    for done, path in enumerate(files, 1):
        key = str(path)
        if key in seen:
            continue
        seen.add(key)
        try:
            _ingest_file(db, path, known.get(key), parser, settings, report, stamp)
        except DocumentError as exc:
            report.errors.append((key, str(exc)))
            log.info("not ingested: %s: %s", key, exc)
        except Exception as exc:  # a reader bug must not stop the other files; details to the log
            report.errors.append((key, f"Không đọc được tệp do lỗi không mong đợi ({type(exc).__name__})."))
            log.exception("ingest failed for %s", key)
        if progress:
            progress(done, len(files))
    _remove_missing(db, folders, seen, known, settings, report, stamp)
    report.seconds = time.perf_counter() - started
    return report


def _discover(
    roots: list[Path], settings: KnowledgeSettings, report: IngestReport, explicit: bool
) -> tuple[list[Path], list[Path]]:
    """(files to read, folders whose vanished files count as removed)."""
    files: list[Path] = []
    folders: list[Path] = []
    for root in roots:
        if root.is_file():
            files.append(root)
            continue
        folders.append(root)
        pattern = "**/*" if settings.recursive else "*"
        found = sorted(
            p
            for p in root.glob(pattern)
            if p.is_file()
            and p.suffix.lower() in SUPPORTED_SUFFIXES
            and not any(part.startswith(".") for part in p.relative_to(root).parts)
        )
        if not found and explicit:
            report.errors.append(
                (str(root), "Thư mục không có tệp văn bản nào đọc được (.txt, .md, .docx, .pdf, .html, .json).")
            )
        files.extend(found)
    return files, folders


def _ingest_file(
    db: sqlite_utils.Database,
    path: Path,
    known: dict[str, Any] | None,
    parser: str,
    settings: KnowledgeSettings,
    report: IngestReport,
    now: str,
) -> None:
    key = str(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise DocumentError(f"Không mở được tệp: {exc.strerror or exc}.") from exc
    if (
        known
        and known["parser"] == parser
        and known["size"] == stat.st_size
        and known["mtime_ns"] == stat.st_mtime_ns
        and stat.st_mtime_ns < known["checked_ns"] - _RACY_NS
    ):
        report.unchanged.extend(_active_paths(db, key))
        return
    is_corpus = path.suffix.lower() in CORPUS_SUFFIXES
    check_size(stat.st_size, settings.max_corpus_mb if is_corpus else settings.max_file_mb)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"Không đọc được tệp: {exc.strerror or exc}.") from exc
    version = sha256(data)
    checked = (key, version, len(data), stat.st_mtime_ns, time.time_ns(), parser)
    if known and known["parser"] == parser and known["version"] == version:
        with transaction(db):
            _record_file(db, checked)
        report.unchanged.extend(_active_paths(db, key))
        return
    if not is_corpus:
        original = db.execute(
            "SELECT path FROM documents WHERE version = ? AND removed_at IS NULL AND file != ? LIMIT 1",
            (version, key),
        ).fetchone()
        if original:
            report.duplicates.append((key, original[0]))
            return
    documents = load_bytes(path, data)
    reparse = not known or known["parser"] != parser
    stored = {
        r[0]: r[1]
        for r in db.execute("SELECT path, version FROM documents WHERE file = ? AND removed_at IS NULL", (key,))
    }
    rows = []
    for doc in documents:
        if not reparse and stored.get(doc.path) == doc.version:
            report.unchanged.append(doc.path)  # one unchanged law of a changed corpus file
            continue
        chunks = make_chunks(doc.outline(), settings.chunking)
        rows.append((doc, chunks, extract_duties(chunks)))
    _write(db, key, rows, {d.path for d in documents}, checked, report, now)


def _write(
    db: sqlite_utils.Database,
    file_key: str,
    rows: list[tuple[LoadedDocument, list[Chunk], list[Duty]]],
    present: set[str],
    checked: tuple,
    report: IngestReport,
    now: str,
) -> None:
    """Store a file's new or changed documents in one transaction (ids kept, chunks and duties
    replaced); documents of the file that are not ``present`` any more are marked removed."""
    with transaction(db, immediate=True):
        existing = {
            r[1]: (r[0], r[2])
            for r in db.execute(
                "SELECT id, path, removed_at FROM documents WHERE file = ? OR path = ?", (file_key, file_key)
            )
        }
        next_chunk = (db.execute("SELECT coalesce(max(id), 0) FROM chunks").fetchone()[0]) + 1
        chunk_rows: list[tuple] = []
        duty_rows: list[tuple] = []
        replaced: list[int] = []
        for doc, chunks, duties in rows:
            old = existing.get(doc.path)
            values = (
                doc.path,
                file_key,
                doc.title,
                doc.number,
                doc.issued,
                doc.issuer,
                doc.kind,
                doc.source,
                doc.note,
                doc.version,
                doc.size,
                now,
            )
            if old:
                doc_id = old[0]
                db.execute(
                    "UPDATE documents SET path=?, file=?, title=?, number=?, issued=?, issuer=?, kind=?, "
                    "source=?, note=?, version=?, size=?, ingested_at=?, removed_at=NULL WHERE id=?",
                    (*values, doc_id),
                )
                replaced.append(doc_id)
                (report.updated if old[1] is None else report.added).append(doc.path)
            else:
                doc_id = db.execute(
                    "INSERT INTO documents (path, file, title, number, issued, issuer, kind, source, note, "
                    "version, size, ingested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                ).lastrowid
                report.added.append(doc.path)
            report.changed_ids.append(doc_id)
            chunk_ids: dict[int | None, int] = {}  # a duty outside any chunk gets NULL
            for chunk in chunks:
                chunk_ids[chunk.seq] = next_chunk
                chunk_rows.append(
                    (next_chunk, doc_id, chunk.seq, chunk.section_path, chunk.heading, chunk.text, chunk.text_hash)
                )
                next_chunk += 1
            duty_rows.extend(
                (
                    doc_id,
                    chunk_ids.get(d.chunk_seq),
                    d.section_path,
                    d.actor,
                    d.task,
                    d.due_date,
                    d.due_text,
                    d.period,
                    d.sentence,
                )
                for d in duties
            )
        _drop_rows(db, replaced)
        db.conn.executemany(
            "INSERT INTO chunks (id, document_id, seq, section_path, heading, text, text_hash) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            chunk_rows,
        )
        db.conn.executemany(
            "INSERT INTO duties (document_id, chunk_id, section_path, actor, task, due_date, due_text, "
            "period, sentence) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            duty_rows,
        )
        # Laws no longer in a corpus file are removed like a vanished file.
        gone = [
            (doc_id, path)
            for path, (doc_id, removed_at) in existing.items()
            if removed_at is None and path not in present
        ]
        _mark_removed(db, gone, now, report)
        _record_file(db, checked)


def _drop_rows(db: sqlite_utils.Database, document_ids: list[int]) -> None:
    for start in range(0, len(document_ids), 500):
        batch = document_ids[start : start + 500]
        marks = ",".join("?" * len(batch))
        db.execute(f"DELETE FROM duties WHERE document_id IN ({marks})", batch)
        db.execute(f"DELETE FROM chunks WHERE document_id IN ({marks})", batch)


def _mark_removed(db: sqlite_utils.Database, gone: list[tuple[int, str]], now: str, report: IngestReport) -> None:
    if not gone:
        return
    ids = [doc_id for doc_id, _ in gone]
    _drop_rows(db, ids)
    db.conn.executemany("UPDATE documents SET removed_at = ? WHERE id = ?", [(now, i) for i in ids])
    report.removed.extend(path for _, path in gone)
    report.removed_ids.extend(ids)


def _record_file(db: sqlite_utils.Database, checked: tuple) -> None:
    db.execute(
        "INSERT INTO source_files (path, version, size, mtime_ns, checked_ns, parser) VALUES (?, ?, ?, ?, ?, ?) "
        "ON CONFLICT(path) DO UPDATE SET version=excluded.version, size=excluded.size, "
        "mtime_ns=excluded.mtime_ns, checked_ns=excluded.checked_ns, parser=excluded.parser",
        checked,
    )


def _active_paths(db: sqlite_utils.Database, file_key: str) -> list[str]:
    return [
        r[0]
        for r in db.execute("SELECT path FROM documents WHERE file = ? AND removed_at IS NULL ORDER BY id", (file_key,))
    ]


def _remove_missing(
    db: sqlite_utils.Database,
    folders: list[Path],
    seen: set[str],
    known: dict[str, dict[str, Any]],
    settings: KnowledgeSettings,
    report: IngestReport,
    now: str,
) -> None:
    """Files catalogued earlier from these folders that are no longer there."""
    vanished = [
        key
        for key in known
        if key not in seen and not Path(key).exists() and any(_under(Path(key), f, settings.recursive) for f in folders)
    ]
    if not vanished:
        return
    with transaction(db, immediate=True):
        for key in vanished:
            gone = [
                (r[0], r[1])
                for r in db.execute("SELECT id, path FROM documents WHERE file = ? AND removed_at IS NULL", (key,))
            ]
            _mark_removed(db, gone, now, report)
            db.execute("DELETE FROM source_files WHERE path = ?", (key,))


def _under(path: Path, folder: Path, recursive: bool) -> bool:
    return path.parent == folder or (recursive and folder in path.parents)


# ----------------------------------------------------------------------------- reading


def list_documents(db: sqlite_utils.Database, include_removed: bool = False) -> list[dict[str, Any]]:
    """The catalogue with chunk and duty counts, newest issue date first."""
    where = "" if include_removed else "WHERE d.removed_at IS NULL"
    return [
        dict(r)
        for r in db.query(
            f"""
        SELECT d.id, d.path, d.title, d.number, d.issued, d.issuer, d.kind, d.version, d.ingested_at,
               d.removed_at,
               (SELECT count(*) FROM chunks c WHERE c.document_id = d.id) AS chunks,
               (SELECT count(*) FROM duties u WHERE u.document_id = d.id) AS duties
        FROM documents d {where}
        ORDER BY coalesce(d.issued, '') DESC, d.id
        """
        )
    ]


def list_duties(
    db: sqlite_utils.Database,
    actor: str | None = None,
    document: str | None = None,
    *,
    document_id: int | None = None,
    dated: bool = False,
) -> list[dict[str, Any]]:
    """Duties of the current documents, soonest deadline first and undated last; optionally of an
    actor (typed with or without marks or as "HĐND"/"hội đồng nhân dân"), of a document (by number
    or words of its title, or by ``document_id``), only those with a day (``dated``).

    The one reading of duties for lists (command line, chat, admin pages); each row also carries
    the document's ``number`` and ``title``."""
    where = ["d.removed_at IS NULL"]
    params: list[Any] = []
    if document_id is not None:
        where.append("u.document_id = ?")
        params.append(document_id)
    if dated:
        where.append("u.due_date IS NOT NULL")
    rows = [
        dict(r)
        for r in db.query(
            f"""
        SELECT u.id, u.document_id, u.chunk_id, u.section_path, u.actor, u.task, u.due_date,
               u.due_text, u.period, u.sentence, d.number, d.title
        FROM duties u JOIN documents d ON d.id = u.document_id
        WHERE {" AND ".join(where)}
        ORDER BY coalesce(u.due_date, '9999'), u.id
        """,
            params,
        )
    ]
    if actor:
        wanted = _keys(actor)
        rows = [r for r in rows if any(w in key for w in wanted for key in _keys(r["actor"]))]
    if document:
        wanted_doc = fold(document).strip()
        rows = [r for r in rows if wanted_doc in fold(r["number"] or "") or wanted_doc in fold(r["title"])]
    return rows


def _keys(text: str) -> list[str]:
    """Folded forms of ``text``: as typed and with abbreviations expanded ("HĐND" → "hội đồng nhân dân")."""
    return [fold(" ".join(text.split())), fold(" ".join(replace_abbreviations(text).split()))]
