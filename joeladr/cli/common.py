"""What every command group shares: the settings of this run, output helpers, common options."""

import json
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

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


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def console(*, stderr: bool = False) -> Any:
    from rich.console import Console

    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def stamp(seconds: float, url: str | None) -> str:
    """A timestamp as rich markup: a terminal link to that second when there is a URL."""
    from joeladr.timecode import timestamp

    text = timestamp(seconds)
    return f"[link={url}]{text}[/link]" if url else text


JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
