"""Report formats: one module per format, registered by name; the CLI's options come from here.

A format is a value (:class:`ReportFormat`): its name (the option is ``--<name> FILE`` on
``matrix``, ``check``, ``check-app`` and ``report merge``), the usual suffix of its file, the
option's help, how it renders a :class:`MatrixReport`, and for a format that can be read back
(JSON) how it reads one. Adding a format is one module defining ``REPORT_FORMAT`` and its line in
:data:`BUILT_IN`; another package (or a test) calls :func:`register_format`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from chaos.registry import Registry
from chaos.reports.model import MatrixReport


@dataclass(frozen=True)
class ReportFormat:
    name: str
    #: The usual suffix of its file (``.xml``), for whoever names the file itself.
    suffix: str
    #: The option's help (``Write JUnit XML.``).
    help: str
    render: Callable[[MatrixReport], str | bytes]
    #: Reads a file of this format back into the report it was written from (JSON only).
    read: Callable[[str | Path], MatrixReport] | None = None

    @property
    def option(self) -> str:
        return f"--{self.name}"


#: The modules of the formats this package ships, in the order their options are listed.
BUILT_IN = (
    "chaos.reports.junit",
    "chaos.reports.json_io",
    "chaos.reports.markdown",
    "chaos.reports.html_page",
)

REPORT_FORMATS: Registry[ReportFormat] = Registry("report format")
_built_in_loaded = False


def register_format(report_format: ReportFormat) -> ReportFormat:
    """Add a format (a duplicate name is an error); its option appears on the next command."""
    return report_formats().add(report_format.name, report_format)


def report_formats() -> Registry[ReportFormat]:
    """Every registered format, the built-in ones first (imported on first use)."""
    global _built_in_loaded
    if not _built_in_loaded:
        _built_in_loaded = True
        for module in BUILT_IN:
            built_in = importlib.import_module(module).REPORT_FORMAT
            REPORT_FORMATS.add(built_in.name, built_in)
    return REPORT_FORMATS


def write_report(report: MatrixReport, report_format: ReportFormat, path: Path) -> None:
    """Render ``report`` into ``path`` (text as UTF-8 as :meth:`Path.write_text` writes it)."""
    rendered = report_format.render(report)
    if isinstance(rendered, bytes):
        path.write_bytes(rendered)
    else:
        path.write_text(rendered)
