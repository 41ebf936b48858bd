"""Retrieval-augmented generation: parsing, chunking, embeddings, vector stores, ingestion and retrieval."""
