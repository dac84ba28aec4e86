"""The plugin's hooks (entry point ``pytest11``); the fixtures live in ``fixtures``.

State lives in ``config.stash``: the checked options and this process's Toxiproxy
(:mod:`chaos.pytest_plugin.resources`). The matrix's JSON report is a plugin object of its own.
"""

from __future__ import annotations

from collections.abc import Generator
from pathlib import Path

import pytest

from chaos.pytest_plugin import fixtures
from chaos.pytest_plugin.options import add_options, read_options
from chaos.pytest_plugin.resources import RESOURCES, ProcessResources, resources
from chaos.runner.shard import select_shard

# Every pytest run on a machine with mysql-chaos installed loads this module: the fault
# catalogue, servers, proxy, runner and reports are imported only by the runs that use them.

FAULT_FIXTURE = "mysql_chaos_fault"
MARKER = "mysql_chaos"

#: A namespace fault's server is reachable only from inside it: what a 2003 there means.
_OUTSIDE_NAMESPACE = (
    "{fault} runs its server in a network namespace, and the test runs inside it; a client that "
    "connects from a thread or process started before the test (a session-scoped pool or app "
    "server) is outside it and cannot reach the server (2003). Create the client in the test "
    "or in a fixture that uses mysql_chaos_fault."
)


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}(faults=[...], server_options=[...]): the faults the {FAULT_FIXTURE} fixture "
        "is parametrized over, and extra options of the server it starts",
    )
    config.addinivalue_line("markers", "mysql_chaos_matrix: a strategy x fault matrix cell")
    options = read_options(config)
    config.stash[RESOURCES] = ProcessResources(options)
    config.pluginmanager.register(fixtures, "mysql_chaos.fixtures")
    if options.matrix:
        _prepare_matrix(config)


def _prepare_matrix(config: pytest.Config) -> None:
    from chaos.errors import ChaosError
    from chaos.faults import FAULTS
    from chaos.pytest_plugin.matrix_report import MatrixJsonReport
    from chaos.runner.preflight import require_local_servers

    options = resources(config).options
    try:
        require_local_servers([FAULTS.get(f) for f in _faults(config)], options.backend)
        options.flavour  # noqa: B018 - asked here, once: an external server may not answer
    except ChaosError as e:
        raise pytest.UsageError(str(e)) from e
    if options.json_file is not None and not hasattr(config, "workerinput"):
        # A plugin of its own, as junitxml's: it sees every report, the workers' included.
        report = MatrixJsonReport(
            options.json_file, _strategies(config), _faults(config), options.shard, options.flavour
        )
        config.pluginmanager.register(report, "mysql_chaos.json_report")
    if options.jobs > 1 and not hasattr(config, "workerinput"):
        from chaos.pytest_plugin.matrix_xdist import MatrixXdist

        # Its hooks are xdist's, optional: without xdist (or -n) they are never called.
        config.pluginmanager.register(MatrixXdist(), "mysql_chaos.matrix_xdist")


def _faults(config: pytest.Config) -> list[str]:
    from chaos.faults.base import select_faults

    return select_faults(list(resources(config).options.faults))


def _strategies(config: pytest.Config) -> list[str]:
    from chaos.strategy import strategies

    chosen = resources(config).options.strategies
    return list(chosen) if chosen else strategies().names()


def pytest_unconfigure(config: pytest.Config) -> None:
    if RESOURCES in config.stash:
        config.stash[RESOURCES].close()


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if FAULT_FIXTURE not in metafunc.fixturenames:
        return
    from chaos.faults import FAULTS

    selected = resources(metafunc.config).options.faults
    marker = metafunc.definition.get_closest_marker(MARKER)
    names = FAULTS.names()
    if marker is not None:
        if marker.args or set(marker.kwargs) - {"faults", "server_options"}:
            pytest.fail(
                f"{metafunc.definition.nodeid}: use "
                f"@pytest.mark.{MARKER}(faults=[...], server_options=[...])",
                pytrace=False,
            )
        wanted = list(marker.kwargs.get("faults", names))
        unknown = [name for name in wanted if name not in FAULTS]
        if unknown:
            pytest.fail(
                f"{metafunc.definition.nodeid}: unknown fault {unknown[0]!r}; "
                f"valid names: {', '.join(names)}",
                pytrace=False,
            )
        names = wanted
    if selected:
        names = [name for name in names if name in selected]
    metafunc.parametrize(FAULT_FIXTURE, names, indirect=True, ids=names)


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    # The matrix's items replace the test files: its node ids name no file.
    return True if resources(config).options.matrix else None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    options = resources(config).options
    if options.matrix:
        from chaos.pytest_plugin.matrix_items import ROOT_NAME, make_items

        items[:] = make_items(session, resources(config), _strategies(config), _faults(config))
        # Reported as collected, so the terminal counts them (and -k, --shard, deselect them).
        report = pytest.CollectReport(ROOT_NAME, "passed", None, list(items))
        config.hook.pytest_collectreport(report=report)
    if options.shard is not None:
        kept = select_shard(items, *options.shard)
        kept_ids = {id(item) for item in kept}
        deselected = [item for item in items if id(item) not in kept_ids]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
        items[:] = kept


@pytest.hookimpl(wrapper=True)
def pytest_runtestloop(session: pytest.Session) -> Generator[None, object, object]:
    options = resources(session.config).options
    if not options.matrix or options.jobs <= 1:
        return (yield)
    from chaos.pytest_plugin.cell_pool import POOL, CellPool
    from chaos.pytest_plugin.matrix_xdist import cells_of_this_process, jobs_of_this_process

    config = session.config
    pool = CellPool(
        cells_of_this_process(config, session.items),
        jobs=jobs_of_this_process(config, options.jobs),
        maxfail=config.getoption("maxfail"),
    )
    config.stash[POOL] = pool
    try:
        outcome = yield
    except (session.Failed, session.Interrupted):
        pool.close(interrupted=False)  # -x, --maxfail, a collection error: stop, finish
        raise
    except BaseException:
        pool.close(interrupted=True)  # Ctrl-C, SIGTERM: tear down now
        raise
    pool.close(interrupted=False)
    return outcome


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    result = getattr(item, "result", None)
    if resources(item.config).options.matrix and call.when == "call" and result is not None:
        from chaos.pytest_plugin.matrix_report import REPORT_ATTRIBUTE, cell_to_json

        setattr(report, REPORT_ATTRIBUTE, cell_to_json(result, item.expected))
    if report.failed and call.when == "call" and _connect_refused(call):
        fault = _namespace_fault(item)
        if fault is not None:
            report.sections.append(("mysql-chaos", _OUTSIDE_NAMESPACE.format(fault=fault)))
    return report


def _connect_refused(call: pytest.CallInfo[None]) -> bool:
    error = call.excinfo.value if call.excinfo is not None else None
    while error is not None:
        if getattr(error, "args", None) and error.args[0] == 2003:
            return True
        error = error.__cause__ or error.__context__
    return False


def _namespace_fault(item: pytest.Item) -> str | None:
    fault = getattr(item, "funcargs", {}).get(FAULT_FIXTURE)
    return fault.name if fault is not None and fault.in_namespace else None


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    # Last: after an interrupt, pytest tears the running test's fixtures down in its own
    # sessionfinish, and their faults heal through this proxy.
    session.config.stash[RESOURCES].toxiproxy.close()
