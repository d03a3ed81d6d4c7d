"""The ``[knowledge]`` settings of config.toml (each one is documented there).

The application reads them (``bot.catalogue.knowledge_settings``) with ``folders`` made absolute.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.chunks import ChunkSettings


@dataclass
class KnowledgeSettings:
    folders: list[str] = field(default_factory=lambda: ["knowledge/documents"])
    max_file_mb: float = 20
    max_corpus_mb: float = 1024
    recursive: bool = False
    chunk_chars: int = 600
    max_paragraph_chars: int = 900
    item_chunks: bool = False
    fetch_timeout_seconds: float = 20
    main_document: str = ""

    @property
    def chunking(self) -> ChunkSettings:
        return ChunkSettings(
            chunk_chars=self.chunk_chars,
            max_paragraph_chars=self.max_paragraph_chars,
            item_chunks=self.item_chunks,
        )
