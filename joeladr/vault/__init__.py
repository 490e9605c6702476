"""The Obsidian vault: notes joeladr shares with the user (``blocks``) and the source notes (``source_notes``)."""
