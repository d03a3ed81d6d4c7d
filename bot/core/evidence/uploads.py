"""Documents uploaded from the admin pages: saved under the data folder, then read into the
catalogue and indexed in a worker thread, with the progress an officer watches.

The file goes to ``<data>/uploads/<name>``; uploading a file of the same name again is a new
version of that document (the catalogue compares contents and re-indexes only what changed). The
work runs on its own connection (``App`` on the same data folder), never on the server's, so the
pages stay responsive; the server's search is reloaded when it is done. Progress is kept in memory
for this process: a restart loses the bar, not the document (the next ingest catches up).
"""

from __future__ import annotations

import logging
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.app import App
from bot.core.errors import UserError
from bot.core.roster import audit
from knowledge.loaders import SUPPORTED_SUFFIXES

if TYPE_CHECKING:
    from bot.core.roster.roster import Person

log = logging.getLogger(__name__)

STAGES = {
    "queued": "Đang chờ",
    "reading": "Đang đọc và chia đoạn văn bản",
    "indexing": "Đang tạo chỉ mục tìm kiếm",
    "done": "Đã xong",
    "failed": "Không nạp được",
}
UPLOAD_SUFFIXES = frozenset(SUPPORTED_SUFFIXES - {".json", ".jsonl", ".ndjson", ".csv", ".tsv"})

_jobs: dict[str, UploadJob] = {}
_lock = threading.Lock()


@dataclass
class UploadJob:
    id: str
    filename: str
    stage: str = "queued"
    done: int = 0  # passages indexed so far
    total: int = 0
    message: str = ""  # the catalogue's summary, or what went wrong (Vietnamese)

    @property
    def percent(self) -> int:
        if self.stage == "done":
            return 100
        if self.stage == "indexing" and self.total:
            return 15 + int(80 * self.done / self.total)
        return 10 if self.stage == "reading" else 0

    @property
    def finished(self) -> bool:
        return self.stage in ("done", "failed")

    def to_json(self) -> dict[str, object]:
        return {
            "stage": self.stage,
            "label": STAGES[self.stage],
            "percent": self.percent,
            "done": self.done,
            "total": self.total,
            "finished": self.finished,
            "message": self.message,
        }


def folder(app: App) -> Path:
    return app.data_dir / "uploads"


def accept(app: App, actor: Person | None, filename: str) -> tuple[UploadJob, Path]:
    """Check the officer's role and the file type; returns the job and where to save the file."""
    audit.require(app, actor, "document.upload", audit.OFFICERS, file=filename)
    path = folder(app) / filename
    if path.suffix.lower() not in UPLOAD_SUFFIXES:
        allowed = ", ".join(sorted(UPLOAD_SUFFIXES))
        raise UserError(f"Tệp «{filename}» không đọc được: chỉ nhận {allowed}.")
    path.parent.mkdir(parents=True, exist_ok=True)
    job = UploadJob(uuid.uuid4().hex, filename)
    with _lock:
        _jobs[job.id] = job
    return job, path


def get(job_id: str) -> UploadJob | None:
    with _lock:
        return _jobs.get(job_id)


def run(app: App, job: UploadJob, path: Path) -> None:
    """Read ``path`` into the catalogue and index it (blocking: call it in a worker thread)."""
    from bot.catalogue import ingest, refresh

    worker = App(app.config)
    try:
        job.stage = "reading"
        report = ingest(worker, [path])
        if report.errors:
            job.stage, job.message = "failed", "; ".join(message for _, message in report.errors)
            return
        job.stage = "indexing"

        def progress(_stage: str, done: int, total: int) -> None:
            job.done, job.total = done, total

        refresh(worker, progress)
        job.message = report.summary()
        job.stage = "done"
        app.reload_search()
    except Exception:  # details to the log; the officer gets a sentence
        log.exception("upload of %s failed", path)
        job.stage, job.message = "failed", "Lỗi không mong đợi khi nạp văn bản; chi tiết đã ghi vào nhật ký máy chủ."
    finally:
        worker.db.conn.close()
