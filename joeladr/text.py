"""Untrusted text (titles, transcripts, web pages) made inert: the characters that drive a terminal.

Light on purpose: the CLI imports it at start-up.
"""

from __future__ import annotations

import re

# C0 controls but newline and tab, DEL, C1 controls (0x9b is a CSI), and bidi overrides
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """``text`` without control characters (BEL, ESC, CSI ...) and bidi overrides."""
    return CONTROL_CHARACTERS.sub("", text)
