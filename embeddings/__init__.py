"""Vectors and search: encoders, the FAISS index and hybrid (dense + BM25) retrieval."""
