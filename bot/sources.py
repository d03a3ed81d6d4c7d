"""Copies of documents fetched from the web, with their provenance.

``quantriet ingest URL`` downloads the page or file (:mod:`knowledge.fetch`), keeps it under
``<data>/sources/`` and records the URL and the fetch time in ``fetched_files``. The kept copy is
then an ordinary file for the catalogue, so a changed text replaces its chunks and duties under the
same document id (acknowledgements stay attached) and an unchanged one costs nothing. Re-fetching
is conditional (ETag / Last-Modified); a failed fetch keeps the last good copy.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot import store
from bot.catalogue import knowledge_settings, sources_folder
from knowledge.fetch import fetch
from knowledge.loaders import DocumentError

if TYPE_CHECKING:
    from bot.app import App


@dataclass(frozen=True)
class Provenance:
    url: str
    fetched_at: str  # UTC ISO time of the last successful fetch


def fetch_sources(app: App, urls: list[str]) -> tuple[list[Path], list[tuple[str, str]]]:
    """Download (or re-check) each URL; (kept copies to ingest, (url, Vietnamese message) errors).
    A URL that fails but was fetched before still yields its last good copy."""
    settings = knowledge_settings(app.config)
    paths: list[Path] = []
    errors: list[tuple[str, str]] = []
    for url in dict.fromkeys(urls):
        known = app.db.execute("SELECT path, etag, last_modified FROM fetched_files WHERE url = ?", (url,)).fetchone()
        held = Path(known[0]) if known and Path(known[0]).exists() else None
        try:
            got = fetch(
                url,
                settings.fetch_timeout_seconds,
                int(settings.max_file_mb * 1024 * 1024),
                etag=known[1] if held else None,
                last_modified=known[2] if held else None,
            )
        except DocumentError as exc:
            errors.append((url, str(exc)))
            if held:
                paths.append(held)
            continue
        now = store.isotime(app.now())
        if got.data is None and held:  # 304: the copy is current
            app.db.execute("UPDATE fetched_files SET fetched_at = ? WHERE url = ?", (now, url))
            paths.append(held)
            continue
        assert got.data is not None
        path = sources_folder(app) / (hashlib.sha256(url.encode()).hexdigest()[:16] + got.suffix)
        changed = not path.exists() or path.read_bytes() != got.data
        if changed:
            _write_atomically(path, got.data)
        if held and held != path:  # the server now sends another kind of file for this URL
            held.unlink(missing_ok=True)
        app.db.execute(
            "INSERT INTO fetched_files (path, url, final_url, fetched_at, changed_at, etag, last_modified) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET path=excluded.path, "
            "final_url=excluded.final_url, fetched_at=excluded.fetched_at, etag=excluded.etag, "
            "last_modified=excluded.last_modified, "
            "changed_at=CASE WHEN ? THEN excluded.changed_at ELSE fetched_files.changed_at END",
            (str(path), url, got.final_url, now, now, got.etag, got.last_modified, changed),
        )
        paths.append(path)
    return paths, errors


def fetched_urls(app: App) -> list[str]:
    """Every URL fetched before, for a plain ``quantriet ingest`` to re-check."""
    return [r[0] for r in app.db.execute("SELECT url FROM fetched_files ORDER BY rowid")]


def provenance(app: App, document_id: int) -> Provenance | None:
    """Where a document's text was fetched from, None for a local file."""
    row = app.db.execute(
        "SELECT f.url, f.fetched_at FROM documents d JOIN fetched_files f ON f.path = d.file WHERE d.id = ?",
        (document_id,),
    ).fetchone()
    return Provenance(*row) if row else None


def _write_atomically(path: Path, data: bytes) -> None:
    """Readers see the old copy or the new one, never half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".part")
    tmp.write_bytes(data)
    os.replace(tmp, path)
