"""A bundled strategy found by name, imported when it is first used.

The strategies lean on Flask, DBUtils and SQLAlchemy, which only the ``strategies`` extra
installs; the asyncio ones on aiomysql, asyncmy and SQLAlchemy's async engine, which only the
``async`` extra installs. A :class:`BundledFactory` is what the registry holds for each: calling
it imports the strategy's module and builds the strategy; :meth:`BundledFactory.load` does the
import alone (and checks for the drivers the module imports only when built), so ``chaos`` can
ask before the first cell and say in one line which extra is missing.
A strategy on another driver (mysqlclient) also imports that driver there, so a missing
``drivers`` extra is the same one line (:class:`chaos.drivers.DriverMissingError`).
"""

from __future__ import annotations

import importlib
import importlib.util
from typing import Any

from chaos.drivers import driver as driver_named
from chaos.errors import UsageError
from chaos.strategy import Strategy, StrategyConfig

#: The packages only an extra installs, by the top-level module they provide.
OPTIONAL_PACKAGES = {
    "flask": "Flask",
    "dbutils": "DBUtils",
    "sqlalchemy": "SQLAlchemy",
    "aiomysql": "aiomysql",
    "asyncmy": "asyncmy",
    "greenlet": "greenlet",
}

#: The extra that installs them (``pip install 'mysql-chaos[strategies]'``).
EXTRA = "strategies"


class BundledFactory:
    """``module:attribute`` of a strategy class, imported on first use.

    ``requires`` are top-level modules the strategy imports only when it is built (the asyncio
    drivers); :meth:`load` checks that they are there, so their absence is the same one line.
    """

    def __init__(
        self,
        name: str,
        module: str,
        attribute: str,
        extra: str = EXTRA,
        requires: tuple[str, ...] = (),
        driver: str | None = None,
    ) -> None:
        self.name = name
        self.driver = driver
        self.module = module
        self.attribute = attribute
        self.extra = extra
        self.requires = requires
        self._loaded: Any = None
        # What error messages name a factory by (chaos.strategy.loading.factory_name).
        self.__qualname__ = attribute

    def load(self) -> Any:
        """The strategy class; a missing optional package is one line naming the extra."""
        if self._loaded is None:
            if self.driver is not None:
                driver_named(self.driver).load()
            try:
                module = importlib.import_module(self.module)
            except ImportError as e:
                missing = (e.name or "").partition(".")[0]
                if missing not in OPTIONAL_PACKAGES:
                    raise
                raise self._missing(missing) from e
            for required in self.requires:
                if importlib.util.find_spec(required) is None:
                    raise self._missing(required)
            self._loaded = getattr(module, self.attribute)
        return self._loaded

    def _missing(self, module: str) -> UsageError:
        return UsageError(
            f"strategy {self.name!r} needs {OPTIONAL_PACKAGES.get(module, module)}, which is not "
            f"installed: pip install 'mysql-chaos[{self.extra}]'"
        )

    def __call__(self, config: StrategyConfig) -> Strategy:
        strategy: Strategy = self.load()(config)
        return strategy

    def __repr__(self) -> str:
        return f"BundledFactory({self.name!r}, {self.module}:{self.attribute})"
