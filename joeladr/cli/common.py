"""What every command group shares: the workspace of this run, output helpers, common options.

Every string that comes from a file, a talk or the web is printed as text, never as rich markup:
the console below parses no markup, and styles are applied with :class:`rich.text.Text` spans.
"""

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from joeladr.text import CONTROL_CHARACTERS, strip_controls

if TYPE_CHECKING:
    from joeladr.app.workspace import Progress, Request, Workspace
    from joeladr.settings import Settings

R = TypeVar("R")


def settings_of(ctx: typer.Context) -> "Settings":
    """The settings of this run, resolved once (flags, environment, joeladr.toml, defaults)."""
    from joeladr.settings import resolve_settings

    obj = ctx.find_root().obj or {}
    if "settings" not in obj:
        obj["settings"] = resolve_settings(overrides=obj.get("overrides"))
    settings: Settings = obj["settings"]
    return settings


def workspace_of(ctx: typer.Context, progress: "Progress | None" = None) -> "Workspace":
    """The workspace for this command: engines opened on demand, warnings printed as they come."""
    from joeladr.app.workspace import Workspace

    return Workspace.for_command(
        settings_of(ctx), progress=progress, warn=lambda message: echo(f"warning: {message}", err=True)
    )


def run(ctx: typer.Context, request: "Request[R]", progress: "Progress | None" = None) -> R:
    """Run one request against this run's workspace (the one call every command makes)."""
    return workspace_of(ctx, progress).run(request)


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
    """A rich console that parses no markup (``[/b]`` in a title is text) and strips control characters."""
    from rich.console import Console

    class SafeConsole(Console):
        def render_str(self, text: str, **options: Any) -> Any:
            options["markup"] = False
            options["emoji"] = False
            return super().render_str(terminal_safe(text), **options)

    return SafeConsole(stderr=stderr, highlight=False, soft_wrap=False, markup=False, emoji=False)


def styled(*parts: str | tuple[str, Any]) -> Any:
    """A line of text with styles (``("Winner", "bold")``): each part is text, never markup."""
    from rich.text import Text

    return Text.assemble(
        *((terminal_safe(p), "") if isinstance(p, str) else (terminal_safe(p[0]), p[1]) for p in parts)
    )


def stamp(at: str, url: str | None) -> tuple[str, Any]:
    """A place in a source (``12:34``) as a styled part: a terminal link to it when there is a URL."""
    from rich.style import Style

    return (at, Style(link=url)) if url else (at, "")


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
