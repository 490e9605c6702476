"""The one exception tree of joeladr.

Every error a user can cause or meet is a :class:`JoeladrError`. The CLI turns
it into one line (``error: <message>``, then ``hint: <hint>`` when there is one)
and the exit code the class carries.
"""

from __future__ import annotations

from pathlib import Path


class JoeladrError(Exception):
    """Base of every error joeladr raises on purpose."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None, path: Path | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.path = path

    def __str__(self) -> str:
        return self.message


class ConfigError(JoeladrError):
    """joeladr.toml or an environment variable is unusable."""

    exit_code = 2


class UsageError(JoeladrError):
    """The user asked for something that cannot be done as asked."""

    exit_code = 2


class InvalidRequest(UsageError):
    """One input of a request is out of its range or form (see :mod:`joeladr.app.checks`).

    ``field`` is the request's name for it (``top_k``); each front end names it its own way
    (the CLI's ``--top-k``, the MCP tool's ``top_k``) before ``problem``.
    """

    def __init__(self, field: str, problem: str, *, hint: str | None = None) -> None:
        super().__init__(f"{field} {problem}", hint=hint)
        self.field = field
        self.problem = problem


class OutsideWorkspace(UsageError):
    """A path leads outside the folders this session may touch (see :mod:`joeladr.bounds`)."""


class AdrError(JoeladrError):
    """An ADR file is missing, malformed, or cannot be edited as asked."""


class AdrNotFound(AdrError):
    """No ADR with that number exists."""


class FrontMatterError(AdrError):
    """The YAML front matter of a markdown file does not parse."""


class NoteError(JoeladrError):
    """A vault note cannot be read or written safely."""


class MarkerError(NoteError):
    """A joeladr marked block in a note is damaged."""


class IngestError(JoeladrError):
    """A source could not be ingested."""


class DownloadError(IngestError):
    """yt-dlp could not fetch a source."""


class MediaError(IngestError):
    """A file is not audio or video that can be decoded."""


class ModelError(JoeladrError):
    """A transcription or embedding model could not be loaded."""


class StoreError(JoeladrError):
    """The vector store refused or failed an operation."""


class StoreLockedError(StoreError):
    """Another process holds the embedded vector store."""


class WorkspaceLockedError(JoeladrError):
    """Another process is writing this workspace's notes or ADRs (or the lock cannot be taken)."""


class WriteConflict(JoeladrError):
    """A file changed on disk between joeladr reading it and writing it back (another program saved it)."""


class EvaluationError(JoeladrError):
    """An ADR cannot be evaluated or decided as asked."""


class JudgeError(EvaluationError):
    """The judge's model gave no usable answer for a target; ``transport``: it could not be reached at all
    (a timeout, the network, a missing key), as opposed to an answer that failed the checks."""

    def __init__(self, message: str, *, hint: str | None = None, transport: bool = False) -> None:
        super().__init__(message, hint=hint)
        self.transport = transport


class ReportError(JoeladrError):
    """A report or a chart cannot be made as asked."""


class Interrupted(BaseException):
    """The caller stopped the work (an MCP client cancelled an ingest).

    Raised from a progress report; a ``BaseException`` so that it passes through the
    ``except Exception`` of the libraries it crosses (yt-dlp, faster-whisper) the way
    Ctrl-C does. Every stage finished before it is cached: running again resumes.
    """
