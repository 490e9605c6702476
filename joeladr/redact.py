"""Secrets never leave joeladr: URLs lose their passwords, and known secret values become ``***``.

Used wherever text may reach the user (errors, logs, ``--debug`` tracebacks): the settings'
Qdrant API key and URL credentials, and anything else registered with :func:`remember`.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

MASK = "***"
_secrets: set[str] = set()
_USERINFO = re.compile(r"(?P<scheme>[a-zA-Z][a-zA-Z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")


def redact_url(url: str) -> str:
    """``http://user:pass@host/x`` -> ``http://***@host/x`` (a URL without credentials is returned as is)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", url)
    if "@" not in parts.netloc:
        return url
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit((parts.scheme, f"{MASK}@{host}", parts.path, parts.query, parts.fragment))


def url_secrets(url: str | None) -> list[str]:
    """The credentials inside a URL (``user:pass``, and the password alone)."""
    if not url:
        return []
    try:
        parts = urlsplit(url)
    except ValueError:
        return []
    found = []
    if "@" in parts.netloc:
        found.append(parts.netloc.rsplit("@", 1)[0])
    if parts.password:
        found.append(parts.password)
    return found


def remember(*values: str | None) -> None:
    """Register secret values (at least 4 characters) so :func:`redact` hides them from now on."""
    for value in values:
        if value and len(value) >= 4:
            _secrets.add(value)


def redact(text: str) -> str:
    """``text`` with every registered secret and every URL password replaced by ``***``."""
    text = _USERINFO.sub(lambda m: f"{m['scheme']}{MASK}@", text)
    for secret in sorted(_secrets, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return text
