"""The seed's API as an ASGI app (Starlette), for uvicorn: the Flask app's endpoints, awaited.

``GET /?city=NAME`` and ``POST /transfer`` answer exactly as :mod:`mysql_chaos_apps.flask_app`
does (same strings, same status codes, same meaning of 409 and 503). An async strategy
(``async def run``) runs on the server's own event loop, as an asyncio app runs its database
calls; a sync strategy runs in Starlette's thread pool, as a sync view does under an ASGI
server. The environment is the Flask app's (its module docstring); the strategy is closed at
the server's shutdown (the ASGI lifespan).

``mysql_chaos_apps.asgi:app`` is the ready-made entry (schema and TLS as ``wsgi``)::

    MYSQL_CHAOS_STRATEGY=aiomysql-safe MYSQL_CHAOS_DSN=mysql://app:pw@127.0.0.1:3306/test \\
        uvicorn --uds /run/user/1000/seed.sock mysql_chaos_apps.asgi:app
"""

from __future__ import annotations

import contextlib
import inspect
import json
import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs

from mysql_chaos_apps.flask_app import (
    city_unit,
    config_from_env,
    factory_from_env,
    is_server_answer,
)
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from chaos.settings import ConnectionSettings
from chaos.strategy import (
    AsyncConnection,
    AsyncUnitOfWork,
    DefiniteFailure,
    StrategyConfig,
    StrategyFactory,
    is_async_strategy,
)
from chaos.strategy.loading import build_strategy
from chaos.taxonomy import describe
from chaos.workload.bank import transfer_unit
from chaos.workload.bank_async import async_transfer_unit

log = logging.getLogger(__name__)


def async_city_unit(city: str | None) -> AsyncUnitOfWork:
    """The seed's query for an async strategy; the body returns the id or ``None``."""

    async def body(conn: AsyncConnection) -> int | None:
        async with conn.cursor() as cursor:
            await cursor.execute("SELECT city_id FROM city WHERE city = %s", (city,))
            row = await cursor.fetchone()
        if row is None:
            return None
        return int(row["city_id"] if isinstance(row, dict) else row[0])

    return AsyncUnitOfWork(op_id=f"city:{city}", body=body)


class StrategyRunner:
    """The served strategy, awaited on the loop (async) or in the thread pool (sync)."""

    def __init__(self, factory: StrategyFactory, config: StrategyConfig) -> None:
        self.strategy: Any = build_strategy(factory, config, adapt_async=False)
        self.asynchronous = is_async_strategy(self.strategy)

    async def city(self, city: str | None) -> Any:
        if self.asynchronous:
            return await self.strategy.run(async_city_unit(city))
        return await run_in_threadpool(self.strategy.run, city_unit(city))

    async def transfer(self, op_id: str, from_id: int, to_id: int, amount: int) -> Any:
        if self.asynchronous:
            return await self.strategy.run(async_transfer_unit(op_id, from_id, to_id, amount))
        unit = transfer_unit(op_id, from_id, to_id, amount)
        return await run_in_threadpool(self.strategy.run, unit)

    async def close(self) -> None:
        closed = self.strategy.close()
        if inspect.isawaitable(closed):
            await closed


async def _city(request: Request) -> Response:
    runner: StrategyRunner = request.app.state.runner
    city = request.query_params.get("city")
    try:
        city_id = await runner.city(city)
    except DefiniteFailure as e:
        return PlainTextResponse(f"not applied: {e}", 500)
    except Exception as e:
        if is_server_answer(e):
            return PlainTextResponse(f"not applied: {describe(e)}: {e}", 500)
        log.warning("city query failed: %r", e)
        return PlainTextResponse(f"{type(e).__name__}: {e}", 503)
    if city_id is not None:
        return PlainTextResponse(f'City "{city}" is #{city_id:d}')
    return PlainTextResponse(f'City "{city}" not found')


async def _transfer_fields(request: Request) -> tuple[str, int, int, int]:
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        try:
            data = json.loads(raw or b"null")
        except ValueError as e:
            raise ValueError("the body is not JSON") from e
        if not isinstance(data, dict):
            raise ValueError("a JSON body must be an object")
    else:
        data = {k: v[-1] for k, v in parse_qs(raw.decode("utf-8", "replace")).items()}
    op_id = data.get("op_id")
    if not isinstance(op_id, str) or not op_id:
        raise ValueError("op_id is required")
    try:
        numbers = [int(data.get(name)) for name in ("from", "to", "amount")]  # type: ignore[arg-type]
    except (TypeError, ValueError) as e:
        raise ValueError("from, to and amount must be integers") from e
    return op_id, numbers[0], numbers[1], numbers[2]


async def _transfer(request: Request) -> Response:
    runner: StrategyRunner = request.app.state.runner
    try:
        op_id, from_id, to_id, amount = await _transfer_fields(request)
        transfer = runner.transfer(op_id, from_id, to_id, amount)
    except ValueError as e:
        return JSONResponse({"status": "bad-request", "error": str(e)}, 400)
    try:
        await transfer
    except DefiniteFailure as e:
        return JSONResponse({"status": "fail", "op_id": op_id, "error": str(e)}, 409)
    except Exception as e:
        if is_server_answer(e):
            message = f"not applied: {describe(e)}: {e}"
            body = {"status": "fail", "op_id": op_id, "error": type(e).__name__, "message": message}
            return JSONResponse(body, 409)
        log.warning("transfer %s outcome unknown: %r", op_id, e)
        body = {"status": "unknown", "op_id": op_id, "error": type(e).__name__, "message": str(e)}
        return JSONResponse(body, 503)
    return JSONResponse({"status": "ok", "op_id": op_id}, 200)


def create_asgi_app(factory: StrategyFactory, config: StrategyConfig) -> Starlette:
    """A Starlette app whose endpoints run their SQL through ``factory(config)``."""
    runner = StrategyRunner(factory, config)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await runner.close()

    app = Starlette(
        routes=[
            Route("/", _city, methods=["GET"]),
            Route("/transfer", _transfer, methods=["POST"]),
        ],
        lifespan=lifespan,
    )
    app.state.runner = runner
    return app


def build_from_env(settings: ConnectionSettings) -> Starlette:
    """The ASGI app for the strategy ``MYSQL_CHAOS_STRATEGY`` names, on ``settings``."""
    spec, factory = factory_from_env()
    app = create_asgi_app(factory, config_from_env(settings))
    log.info("serving strategy %s on %s:%s (ASGI)", spec, settings.host, settings.port)
    return app
