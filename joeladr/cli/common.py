"""What every command group shares: the settings of this run, output helpers, common options."""

import json
import math
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING, Annotated, Any

import typer

from joeladr.text import CONTROL_CHARACTERS, strip_controls

if TYPE_CHECKING:
    from joeladr.settings import Settings


def settings_of(ctx: typer.Context) -> "Settings":
    """The settings of this run, resolved once (flags, environment, joeladr.toml, defaults)."""
    from joeladr.settings import resolve_settings

    obj = ctx.find_root().obj or {}
    if "settings" not in obj:
        obj["settings"] = resolve_settings(overrides=obj.get("overrides"))
    settings: Settings = obj["settings"]
    return settings


def terminal_safe(text: str) -> str:
    """Text that cannot drive the terminal: control characters (BEL, ESC, CSI ...) removed."""
    return strip_controls(text)


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """Print text that may hold titles or transcripts (from the web): control characters removed."""
    typer.echo(terminal_safe(text), err=err, nl=nl)


def print_json(data: Any) -> None:
    text = json.dumps(data, indent=2, ensure_ascii=False, default=str)  # C0 controls come out as \u escapes
    sys.stdout.write(CONTROL_CHARACTERS.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def console(*, stderr: bool = False) -> Any:
    """A rich console whose every string (printed or in a table cell) loses control characters first."""
    from rich.console import Console

    class SafeConsole(Console):
        def render_str(self, text: str, **options: Any) -> Any:
            return super().render_str(terminal_safe(text), **options)

    return SafeConsole(stderr=stderr, highlight=False, soft_wrap=False)


def in_range(low: float, high: float) -> Callable[[Any, Any, Any], Any]:
    """An option callback: the number must be finite and within low..high (else one usage line)."""

    def check(ctx: Any, param: Any, value: Any) -> Any:
        if value is None:
            return value
        try:
            fits = math.isfinite(value) and low <= value <= high
        except OverflowError:  # an int too large for a float
            fits = False
        if not fits:
            shown = str(value) if len(str(value)) <= 24 else str(value)[:21] + "..."
            raise typer.BadParameter(f"must be from {low:g} to {high:g}, not {shown}")
        return value

    return check


def stamp(seconds: float, url: str | None) -> str:
    """A timestamp as rich markup: a terminal link to that second when there is a URL."""
    from joeladr.timecode import timestamp

    text = timestamp(seconds)
    return f"[link={url}]{text}[/link]" if url else text


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
