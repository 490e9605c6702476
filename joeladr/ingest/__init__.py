"""Ingest: what the user names -> audio -> transcript -> chunks -> embeddings -> the store and a vault note.

``inputs`` (what was typed), ``download`` (yt-dlp), ``media`` (PyAV), ``captions`` and
``transcribe`` (faster-whisper), ``chunking``, and ``pipeline`` (the stages, cached).
"""
