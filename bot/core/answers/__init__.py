"""Questions in, cited answers out: understanding, retrieval through :mod:`embeddings`, composition
and the scoring of answers against question files."""
