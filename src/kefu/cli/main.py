"""`kefu` — the command line entry point.

Sub-commands live in one module per area; each module exposes a Typer `app` and is mounted
here. Errors of usage exit 2 with a one-line message on stderr (formats.md).
"""

from __future__ import annotations

import importlib
import sys
from dataclasses import dataclass

import typer

# Typer 0.29 carries its own click; its exceptions are only importable from here.
from typer._click import exceptions as click
from typer.main import get_command

from kefu.cli import batch
from kefu.core.errors import DomainError


@dataclass(frozen=True)
class Entry:
    """A top-level command: a Typer sub-app (`group`) or a single command function."""

    name: str
    module: str
    attr: str
    help: str = ""
    group: bool = True


# Mounted lazily: `kefu qa scan` imports only the QA modules, not the web server, the
# database layer or the intent model, so batch commands start fast.
ENTRIES: tuple[Entry, ...] = (
    Entry("migrate", "kefu.cli.data", "migrate_command", group=False),
    Entry("demo", "kefu.cli.data", "demo_command", group=False),
    Entry("run", "kefu.cli.server", "run", group=False),
    Entry("serve", "kefu.cli.server", "serve", group=False),
    Entry("worker", "kefu.cli.worker", "worker", group=False),
    Entry("nlu", "kefu.cli.nlu", "app", "Buyer-message understanding."),
    Entry("qa", "kefu.cli.qa", "app", "Quality inspection 质检."),
    Entry("policy", "kefu.cli.policy", "app", "Shop rules: returns, late shipment, quotes."),
    Entry("reminders", "kefu.cli.orders", "reminders_app", "Payment reminders 催付."),
    Entry("orders", "kefu.cli.orders", "orders_app", "Order operations."),
    Entry("report", "kefu.cli.report", "app", "Reports (KPIs)."),
    Entry("import", "kefu.cli.data", "import_app", "Import JSON Lines into the database."),
    Entry("export", "kefu.cli.data", "export_app", "Export the database as JSON Lines."),
    Entry("users", "kefu.cli.data", "users_app", "User accounts."),
)


def _root() -> None:
    """kefu 客服工作台 — customer service for online shops."""


def build_app(argv: list[str] | None = None) -> typer.Typer:
    """The CLI with the command named in `argv` mounted, or every command when none is."""
    app = typer.Typer(
        name="kefu",
        help="kefu 客服工作台 — customer service for online shops.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
    )
    # A callback keeps `kefu` a group even when only one plain command is mounted;
    # without it Typer would make that command the root and `kefu run` would fail.
    app.callback()(_root)
    words = [arg for arg in (sys.argv[1:] if argv is None else argv) if not arg.startswith("-")]
    wanted = [entry for entry in ENTRIES if words and entry.name == words[0]] or list(ENTRIES)
    for entry in wanted:
        target = getattr(importlib.import_module(entry.module), entry.attr)
        if entry.group:
            app.add_typer(target, name=entry.name, help=entry.help)
        else:
            app.command(entry.name)(target)
    # A callback keeps the app a group: with a single command mounted, Typer would
    # otherwise make it the root command and refuse its own name as an extra argument.
    app.callback()(_group)
    return app


def _group() -> None:
    pass


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; usage errors become one line on stderr and exit code 2."""
    command = get_command(build_app(argv))
    try:
        result = command.main(args=argv, prog_name="kefu", standalone_mode=False)
    except batch.UsageError as exc:
        print(f"kefu: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except DomainError as exc:  # a refused action (unknown shop or user, missing file)
        print(f"kefu: error: {exc.message}", file=sys.stderr)
        sys.exit(2)
    except click.NoArgsIsHelpError as exc:
        if exc.ctx is not None:
            print(exc.ctx.get_help(), file=sys.stderr)
        sys.exit(2)
    except click.UsageError as exc:
        print(f"kefu: error: {exc.format_message()}", file=sys.stderr)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except typer.Abort:
        print("kefu: aborted", file=sys.stderr)
        sys.exit(130)
    except click.ClickException as exc:
        print(f"kefu: error: {exc.format_message()}", file=sys.stderr)
        sys.exit(exc.exit_code)
    sys.exit(result if isinstance(result, int) else 0)


if __name__ == "__main__":
    main()
