"""The vector store contract and its two adapters (Qdrant Edge in-process, Qdrant server)."""

from joeladr.store.base import Hit, Point, VectorStore, open_store

__all__ = ["Hit", "Point", "VectorStore", "open_store"]
