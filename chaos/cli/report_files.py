"""The report files a command writes: one ``--<format> FILE`` option per registered format.

The options are made from the registry (:mod:`chaos.reports.format`) each time a command parses
its arguments or shows its help, so a format registered before the command runs is an option of
``matrix``, ``check``, ``check-app`` and ``report merge`` with no other edit. The command gets
them as one argument, ``reports``: ``{format name: path}`` for each option given.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from chaos.errors import UsageError
from chaos.reports.paths import check_report_path

if TYPE_CHECKING:
    from chaos.reports.format import ReportFormat
    from chaos.reports.model import MatrixReport

_AFTER = "__mysql_chaos_report_options_after__"
_DEST = "report_file_"


def report_file_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Marks where a :class:`ReportingCommand` lists its report options (here, among the
    options declared around this decorator)."""
    setattr(command, _AFTER, len(getattr(command, "__click_params__", [])))
    return command


def _dest(report_format: ReportFormat) -> str:
    """The option's parameter name (an identifier, whatever the format's name)."""
    return _DEST + report_format.name.replace("-", "_")


def _formats() -> list[ReportFormat]:
    from chaos.reports.format import report_formats

    return [report_format for _, report_format in report_formats().items()]


class ReportingCommand(click.Command):
    """A command with one ``--<format> FILE`` option per registered report format."""

    def get_params(self, ctx: click.Context) -> list[click.Parameter]:
        params = super().get_params(ctx)
        at = len(self.params) - getattr(self.callback, _AFTER, 0)
        options: list[click.Parameter] = [
            click.Option(
                [report_format.option, _dest(report_format)],
                type=click.Path(dir_okay=False),
                help=report_format.help,
            )
            for report_format in _formats()
        ]
        return [*params[:at], *options, *params[at:]]

    def invoke(self, ctx: click.Context) -> Any:
        reports = {f.name: ctx.params.pop(_dest(f), None) for f in _formats()}
        ctx.params["reports"] = {name: path for name, path in reports.items() if path}
        return super().invoke(ctx)


def requested_reports(reports: Mapping[str, str]) -> list[tuple[Path, ReportFormat]]:
    """Each requested report's path, checked writable before any cell runs, with its format."""
    return [
        (check_report_path(report_format.option, reports[report_format.name]), report_format)
        for report_format in _formats()
        if reports.get(report_format.name)
    ]


def write_reports(report: MatrixReport, targets: Sequence[tuple[Path, ReportFormat]]) -> None:
    from chaos.reports.format import write_report

    for path, report_format in targets:
        try:
            write_report(report, report_format, path)
        except OSError as e:
            raise UsageError(f"cannot write {path}: {e.strerror or e}") from e
        click.echo(f"wrote {path}")
