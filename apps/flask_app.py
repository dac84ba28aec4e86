"""The seed's Flask app, serving any strategy, for end-to-end cells and the throughput benchmark.

``GET /?city=NAME`` is the seed's endpoint, answered with the seed's exact strings;
``POST /transfer`` (form or JSON fields ``op_id``, ``from``, ``to``, ``amount``) runs one bank
transfer through the strategy: 200 ok, 409 definitely not applied, 503 unknown (with the error
class), 400 bad input. Only a lost connection is "unknown": an answer from a live server (1146 no
such table, 1062 duplicate key, ...) means nothing was applied, so the city endpoint answers 500
and the transfer endpoint 409, both saying "not applied".

``mysql_chaos_apps.wsgi:app`` is the ready-made WSGI entry (it also creates the schema and
chooses TLS); or run this module's factory under a real WSGI server, e.g.::

    MYSQL_CHAOS_STRATEGY=safe MYSQL_CHAOS_DSN=mysql://root@127.0.0.1:3306/test \\
        gunicorn --threads 16 'mysql_chaos_apps.flask_app:build_from_env()'

Environment read by :func:`build_from_env`:

``MYSQL_CHAOS_STRATEGY``
    required: a registered strategy name (``naive-global`` ... ``safe``) or ``module:factory``.
``MYSQL_CHAOS_DSN``
    required: ``mysql://user:password@host:port/database``.
``MYSQL_CHAOS_RECYCLE_SECONDS`` / ``MYSQL_CHAOS_IDLE_SECONDS``
    optional floats: the scaled seed constants (see ``StrategyConfig``).
``MYSQL_CHAOS_CONNECT_TIMEOUT`` / ``_READ_TIMEOUT`` / ``_WRITE_TIMEOUT``
    optional floats: the timeouts ``StrategyConfig.connection`` carries, as the in-process
    matrix gives them; the seed's strategies ignore them.
"""

from __future__ import annotations

import atexit
import logging
import os
from dataclasses import replace
from typing import Any

from flask import Flask, current_app, jsonify, request
from flask.typing import ResponseReturnValue

from chaos.errors import UsageError
from chaos.settings import ConnectionSettings
from chaos.strategy import (
    Connection,
    DefiniteFailure,
    Strategy,
    StrategyConfig,
    StrategyFactory,
    UnitOfWork,
    strategies,
)
from chaos.strategy.loading import build_strategy, load_factory
from chaos.taxonomy import describe, error_code, is_disconnect

log = logging.getLogger(__name__)

_EXTENSION = "mysql_chaos.strategy"

#: A few rows in the shape of sakila's ``city`` table (ids are arbitrary).
CITIES: tuple[tuple[int, str], ...] = (
    (1, "Amsterdam"),
    (2, "Berlin"),
    (3, "Lisbon"),
    (312, "London"),
    (5, "Paris"),
)


def setup_city_table(conn: Connection) -> None:
    """Create the seed's ``city`` table (if missing), fill it with :data:`CITIES`, commit."""
    with conn.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE IF NOT EXISTS city ("
            " city_id INT PRIMARY KEY, city VARCHAR(50) NOT NULL, KEY (city)) ENGINE=InnoDB"
        )
        cursor.executemany("INSERT IGNORE INTO city (city_id, city) VALUES (%s, %s)", CITIES)
    conn.commit()


def city_unit(city: str | None) -> UnitOfWork:
    """The seed's query as a unit of work; the body returns the id or ``None``."""

    def body(conn: Connection) -> int | None:
        cursor = conn.cursor()
        # The seed passed the bare value; pymysql >= 1.2 deprecates a non-sequence argument.
        cursor.execute("SELECT city_id FROM city WHERE city = %s", (city,))
        row = cursor.fetchone()
        if row is None:
            return None
        # The seed used DictCursor; a user's strategy may too.
        return int(row["city_id"] if isinstance(row, dict) else row[0])

    return UnitOfWork(op_id=f"city:{city}", body=body)


def strategy_of(app: Flask) -> Strategy:
    """The strategy an app built by :func:`create_app` serves (close it when done)."""
    return app.extensions[_EXTENSION]


def create_app(factory: StrategyFactory, config: StrategyConfig) -> Flask:
    """A Flask app whose views run their SQL through ``factory(config)``."""
    app = Flask(__name__)
    app.extensions[_EXTENSION] = build_strategy(factory, config)
    app.add_url_rule("/", view_func=_city_view, methods=["GET"])
    app.add_url_rule("/transfer", view_func=_transfer_view, methods=["POST"])
    return app


def is_server_answer(error: BaseException) -> bool:
    """True when ``error`` is a live server's refusal (so nothing was applied).

    Server error codes are below 2000 or from 3000 on; 2000-2999 are the client library's own
    (lost connection, out of sync). A server code the taxonomy calls a disconnect (1927 killed,
    1053 shutdown) is not an answer: the session is gone with whatever it was doing.
    """
    code = error_code(error)
    return code is not None and not 2000 <= code < 3000 and not is_disconnect(error)


def _city_view() -> ResponseReturnValue:
    city = request.args.get("city")
    try:
        city_id = strategy_of(current_app).run(city_unit(city))
    except DefiniteFailure as e:
        return f"not applied: {e}", 500
    except Exception as e:
        if is_server_answer(e):
            return f"not applied: {describe(e)}: {e}", 500
        log.warning("city query failed: %r", e)
        return f"{type(e).__name__}: {e}", 503
    if city_id is not None:
        return f'City "{city}" is #{city_id:d}'
    return f'City "{city}" not found'


def _transfer_fields() -> tuple[str, int, int, int]:
    data: Any = request.get_json(silent=True) if request.is_json else request.form
    if request.is_json and not isinstance(data, dict):
        raise ValueError("a JSON body must be an object")
    op_id = data.get("op_id")
    if not isinstance(op_id, str) or not op_id:
        raise ValueError("op_id is required")
    try:
        numbers = [int(data.get(name)) for name in ("from", "to", "amount")]
    except (TypeError, ValueError) as e:
        raise ValueError("from, to and amount must be integers") from e
    return op_id, numbers[0], numbers[1], numbers[2]


def _transfer_view() -> ResponseReturnValue:
    # Imported here: the workload module is not needed to serve the city endpoint.
    from chaos.workload.bank import transfer_unit

    try:
        op_id, from_id, to_id, amount = _transfer_fields()
        unit = transfer_unit(op_id, from_id, to_id, amount)
    except ValueError as e:
        return jsonify(status="bad-request", error=str(e)), 400
    try:
        strategy_of(current_app).run(unit)
    except DefiniteFailure as e:
        return jsonify(status="fail", op_id=op_id, error=str(e)), 409
    except Exception as e:
        if is_server_answer(e):
            message = f"not applied: {describe(e)}: {e}"
            return jsonify(status="fail", op_id=op_id, error=type(e).__name__, message=message), 409
        log.warning("transfer %s outcome unknown: %r", op_id, e)
        return jsonify(status="unknown", op_id=op_id, error=type(e).__name__, message=str(e)), 503
    return jsonify(status="ok", op_id=op_id), 200


def _env_float(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        return float(raw)
    except ValueError as e:
        raise UsageError(f"{name} must be a number of seconds, got {raw!r}") from e


def _required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise UsageError(f"{name} is not set (see mysql_chaos_apps.flask_app's docstring)")
    return value


def settings_from_env() -> ConnectionSettings:
    """``MYSQL_CHAOS_DSN`` parsed (see module docstring)."""
    return ConnectionSettings.from_url(_required_env("MYSQL_CHAOS_DSN"))


def build_from_env(settings: ConnectionSettings | None = None) -> Flask:
    """The WSGI app for ``gunicorn 'mysql_chaos_apps.flask_app:build_from_env()'``.

    See the module docstring. ``settings`` replaces ``MYSQL_CHAOS_DSN`` (``mysql_chaos_apps.wsgi``
    passes its TLS choice this way).
    """
    spec = _required_env("MYSQL_CHAOS_STRATEGY")
    if settings is None:
        settings = settings_from_env()
    factory = load_factory(spec) if ":" in spec else strategies().get(spec)
    defaults = StrategyConfig(connection=settings)
    timeouts = {
        name: _env_float(f"MYSQL_CHAOS_{name.upper()}", 0.0)
        for name in ("connect_timeout", "read_timeout", "write_timeout")
        if os.environ.get(f"MYSQL_CHAOS_{name.upper()}")
    }
    config = StrategyConfig(
        connection=replace(settings, **timeouts),
        recycle_seconds=_env_float("MYSQL_CHAOS_RECYCLE_SECONDS", defaults.recycle_seconds),
        idle_seconds=_env_float("MYSQL_CHAOS_IDLE_SECONDS", defaults.idle_seconds),
    )
    app = create_app(factory, config)
    # WSGI servers have no shutdown hook for the app; a worker's exit runs atexit.
    atexit.register(strategy_of(app).close)
    log.info("serving strategy %s on %s:%s", spec, settings.host, settings.port)
    return app
