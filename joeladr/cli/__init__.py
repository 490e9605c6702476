"""The command line: parse, call the core, print. Errors become one line and an exit code here.

The app and its error boundary live here; each command group is a module of this package
(``adr``, ``ingest``, ``evaluate``, ``report``, ``agents``) that registers its commands on the app and imports
nothing from this module.
"""

from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from typer.core import TyperGroup

from joeladr import __version__
from joeladr.cli import adr, agents, evaluate, ingest, report
from joeladr.cli.common import terminal_safe
from joeladr.errors import InvalidRequest, JoeladrError

# typer's own errors (click's ClickException and UsageError: vendored by typer >= 0.26, click's before)
_CLICK_ERRORS = tuple(c for c in typer.BadParameter.__mro__ if c.__name__ == "ClickException")
_USAGE_ERRORS = tuple(c for c in typer.BadParameter.__mro__ if c.__name__ == "UsageError")


class JoeladrGroup(TyperGroup):
    """Runs a command and turns every failure into one clear line (``--debug`` shows the traceback).

    Whatever is printed passes through :func:`joeladr.redact.redact` (no key, password or cookie
    value, also under ``--debug``) and loses terminal control characters.
    """

    def invoke(self, ctx: typer.Context) -> Any:  # type: ignore[override]
        try:
            return super().invoke(ctx)
        except JoeladrError as exc:
            if _debug(ctx):
                _traceback(exc, exc.exit_code)
            message = f"{cli_name(exc.field)} {exc.problem}" if isinstance(exc, InvalidRequest) else exc.message
            _fail(f"error: {message}", exc.hint, exc.exit_code)
        except BrokenPipeError:
            _quiet_stdout()
            raise typer.Exit(SIGPIPE_EXIT) from None
        except KeyboardInterrupt:
            _fail("interrupted", "run the same command again to resume", 130)
        except (typer.Exit, typer.Abort):
            raise
        except Exception as exc:  # a bug or an unwrapped third-party error: still one line
            if isinstance(exc, _USAGE_ERRORS) and type(exc).__name__ != "NoArgsIsHelpError":
                where = exc.ctx.command_path if getattr(exc, "ctx", None) else "joeladr"  # type: ignore[attr-defined]
                _fail(f"error: {exc.format_message()}", f"see `{where} --help`", exc.exit_code)  # type: ignore[attr-defined]
            if isinstance(exc, _CLICK_ERRORS):
                raise
            if _debug(ctx):
                _traceback(exc, 70)
            _fail(f"internal error: {type(exc).__name__}: {exc}", "run again with --debug for the traceback", 70)


ARGUMENTS = {"adr", "query", "title", "finding_id", "inputs", "old", "new", "a", "b", "status", "target"}
SPELLED = {
    "weights": "--weight",
    "source_ids": "--source",
    "must_have": "--must-have",
    "packet_id": "--packet",
    "picks": "CHOSEN",
}


def cli_name(field: str) -> str:
    """A request's field as the command line spells it: ``top_k`` -> ``--top-k``, ``adr`` -> ``ADR``."""
    if field in ARGUMENTS:
        return field.upper()
    return SPELLED.get(field, "--" + field.replace("_", "-"))


SIGPIPE_EXIT = 141  # 128 + SIGPIPE: what a shell reports for a writer whose reader went away


def _quiet_stdout() -> None:
    """The reader went away (``joeladr adr list | head -1``): end quietly, as other Unix tools do, and
    point stdout at /dev/null so the interpreter's last flush does not fail again."""
    import contextlib
    import os
    import sys

    with contextlib.suppress(OSError, ValueError):
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def _debug(ctx: typer.Context) -> bool:
    root = ctx.find_root()
    return bool(root.params.get("debug")) or bool(root.obj and root.obj.get("debug"))


def _fail(message: str, hint: str | None, code: int) -> NoReturn:
    from joeladr.redact import redact

    lines = message.splitlines()
    typer.echo(terminal_safe(redact(lines[0] if lines else "error")), err=True)
    if hint:
        typer.echo(terminal_safe(redact(f"hint: {hint}")), err=True)
    raise typer.Exit(code)


def _traceback(exc: BaseException, code: int) -> NoReturn:
    """``--debug``: the whole traceback, with every secret value masked."""
    import traceback

    from joeladr.redact import redact

    typer.echo(terminal_safe(redact("".join(traceback.format_exception(exc)))), err=True, nl=False)
    raise typer.Exit(code)


app = typer.Typer(
    cls=JoeladrGroup,
    no_args_is_help=True,
    help="Turn 'watch these talks, then decide' into an evidence-backed architecture decision.\n\n"
    "Example: joeladr ingest https://youtu.be/JvBT4XBdoUE && joeladr evaluate 0064",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    rich_markup_mode=None,  # plain help: rich help pulls rich.markdown + markdown-it (~60 ms) into --help
)
adr_app = typer.Typer(
    cls=JoeladrGroup,
    no_args_is_help=True,
    help="Read, write and check ADRs.\n\nExample: joeladr adr list --status proposed",
    rich_markup_mode=None,
)
app.add_typer(adr_app, name="adr")
adr.register(adr_app)
ingest.register(app)
evaluate.register(app)
report.register(app)
agents.register(app)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"joeladr {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    adr_dir: Annotated[
        Path | None, typer.Option(help="ADR folder (else JOELADR_ADR_DIR, joeladr.toml, ./adrs).")
    ] = None,
    vault: Annotated[
        Path | None, typer.Option(help="Obsidian vault (else JOELADR_VAULT, joeladr.toml, ./vault).")
    ] = None,
    home: Annotated[
        Path | None, typer.Option(help="Cache folder (else JOELADR_HOME, joeladr.toml, ./.joeladr).")
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show tracebacks.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    ctx.obj = {"debug": debug, "overrides": {"adr_dir": adr_dir, "vault": vault, "home": home}}


@app.command()
def init(
    path: Annotated[Path, typer.Argument(help="Workspace folder.")] = Path("."),
) -> None:
    """Create joeladr.toml, adrs/, vault/ and git-ignore the cache. Safe to run twice.

    Example: joeladr init ~/decisions
    """
    from joeladr.workspace import init_workspace

    result = init_workspace(path)
    for created in result.created:
        typer.echo(f"created {created}")
    if not result.created:
        typer.echo(f"{result.root} is already a joeladr workspace")


def main() -> None:
    import sys

    from joeladr.interrupt import stop_on_sigterm

    stop_on_sigterm()  # SIGTERM stops long work as Ctrl-C does: at its next step, every finished stage cached
    try:
        app()
    except BrokenPipeError:  # while typer itself printed (help, usage errors)
        _quiet_stdout()
        sys.exit(SIGPIPE_EXIT)


if __name__ == "__main__":
    main()
