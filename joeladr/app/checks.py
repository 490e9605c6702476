"""The rules every request's inputs follow, whichever front end typed them: ranges, forms, known names.

Each check raises :class:`~joeladr.errors.InvalidRequest` naming the request's field; the CLI
shows it as its option (``--top-k``), the MCP server as the tool's argument (``top_k``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

from joeladr.errors import InvalidRequest
from joeladr.settings import JUDGE_CANDIDATES, MIN_SCORE, TOP_K

__all__ = ["JUDGE_CANDIDATES", "MIN_SCORE", "TOP_K"]

MAX_NAME = 200  # a model's id or alias, a target's id
MAX_LINE = 2000  # a note or a reason: one paragraph, not a file


def whole_number(field: str, value: object, low: int, high: int) -> int:
    """``value`` as a whole number within low..high (``True`` is not a number)."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequest(field, f"must be a whole number from {low} to {high}, not {_shown(value)}")
    if not low <= value <= high:
        raise InvalidRequest(field, f"must be from {low} to {high}, not {_shown(value)}")
    return value


def fraction(field: str, value: object, low: float, high: float) -> float:
    """``value`` as a finite number within low..high."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequest(field, f"must be a number from {low:g} to {high:g}, not {_shown(value)}")
    number = float(value)
    if not math.isfinite(number) or not low <= number <= high:
        raise InvalidRequest(field, f"must be from {low:g} to {high:g}, not {_shown(value)}")
    return number


def choice(field: str, value: str, choices: Sequence[str]) -> str:
    if value not in choices:
        raise InvalidRequest(field, f"must be one of {', '.join(choices)}, not '{_shown(value)}'")
    return value


def adr_ref(value: object, field: str = "adr") -> str:
    """An ADR as a front end names it: a number (64), text ('0064', 'ADR-0064', a slug or a file name)."""
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidRequest(field, f"must be an ADR number or slug, not {_shown(value)}")
    text = str(value).strip()
    if not text:
        raise InvalidRequest(field, "is empty: give an ADR number such as 64 or 0064, or its slug")
    return text


def names(values: Iterable[str] | None) -> tuple[str, ...]:
    """A list input (repeatable option, JSON array) as a tuple without blanks or repeats, in order."""
    return tuple(dict.fromkeys(v.strip() for v in values or () if v.strip()))


def option_ids(values: Iterable[str] | None) -> tuple[str, ...] | None:
    """Option ids as the ADR writes them (upper case); None when not given (leave as they are)."""
    return None if values is None else tuple(v.upper() for v in names(values))


def weights(values: Mapping[str, object] | None) -> dict[str, float]:
    """Criterion id -> weight, each a finite number from 0 to 100."""
    from joeladr.evaluate.matrix import weight_problem

    checked: dict[str, float] = {}
    for name, value in (values or {}).items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InvalidRequest("weights", f"{name}={_shown(value)}: the weight must be a number")
        if problem := weight_problem(float(value)):
            raise InvalidRequest("weights", f"{name}={_shown(value)}: the weight {problem}")
        checked[name.strip()] = float(value)
    return checked


def one_line(field: str, value: str | None) -> str | None:
    """Free text that becomes one line of a file: line breaks become spaces, at most ``MAX_LINE`` characters."""
    if value is None:
        return None
    text = " ".join(value.split())
    if len(text) > MAX_LINE:
        raise InvalidRequest(field, f"is at most {MAX_LINE} characters (this one has {len(text)})")
    return text


def name(field: str, value: object) -> str:
    """A name given as text (a model id or alias, a target id): one line of at most ``MAX_NAME`` characters."""
    if not isinstance(value, str) or not value.strip():
        raise InvalidRequest(field, f"must be a name, not {_shown(value) if value != '' else 'empty'}")
    text = value.strip()
    if len(text) > MAX_NAME or any(ch in text for ch in "\r\n\t") or not text.isprintable():
        raise InvalidRequest(field, f"must be one line of at most {MAX_NAME} printable characters")
    return text


def _shown(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else value
    if isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, float):
        text = f"{value:g}"
    return text if len(text) <= 24 else text[:21] + "..."
