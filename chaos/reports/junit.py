"""The JUnit XML report: one test case per cell, its expectation as the assertion.

A CI server shows a cell whose verdict differs from the expected one as a failure, a cell that
errored as an error and a skipped one as skipped; each case carries the measured verdict, the
expected one, its status and the recovery times as properties.
"""

from __future__ import annotations

from xml.etree import ElementTree

from chaos.reports.format import ReportFormat
from chaos.reports.model import MatrixReport


def junit(report: MatrixReport) -> str:
    suite = ElementTree.Element(
        "testsuite",
        name="mysql-chaos matrix",
        tests=str(len(report.cells)),
        failures=str(len(report.mismatches)),
        errors=str(len(report.with_status("error"))),
        skipped=str(len(report.with_status("skipped"))),
        time=f"{report.seconds:.3f}",
    )
    for cell in report.cells:
        r = cell.result
        case = ElementTree.SubElement(
            suite, "testcase", classname=r.strategy, name=r.fault, time=f"{r.seconds:.3f}"
        )
        properties = ElementTree.SubElement(case, "properties")
        for name, value in (
            ("verdict", r.verdict),
            ("expected", cell.expected_label),
            ("status", cell.status),
            ("recovery", cell.recovery),
            *((("struck", r.strike.describe()),) if r.strike is not None else ()),
        ):
            ElementTree.SubElement(properties, "property", name=name, value=value)
        if r.skipped:
            ElementTree.SubElement(case, "skipped", message=r.skipped)
        elif r.error:
            ElementTree.SubElement(case, "error", message=r.error)
        elif not cell.meets_expectation:
            failure = ElementTree.SubElement(
                case, "failure", message=f"measured {r.verdict}, expected {cell.expected_label}"
            )
            failure.text = "\n".join(
                f"{v.kind.short} ({v.kind}): {', '.join(v.op_ids)} {v.detail}"
                for v in (r.check.violations if r.check else ())
            )
    return ElementTree.tostring(suite, encoding="unicode", xml_declaration=True)


REPORT_FORMAT = ReportFormat("junit", ".xml", "Write JUnit XML.", junit)
