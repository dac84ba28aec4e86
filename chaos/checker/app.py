"""The checks of app mode: the bank's invariants plus HTTP ones, or HTTP ones alone.

:data:`APP_CHECKS` judges the seed's app: everything :data:`~chaos.checker.check.BANK_CHECKS`
proves from the database, plus :mod:`chaos.checker.settled`. :data:`HTTP_CHECKS` judges an app
from HTTP alone (recovery per client, hangs, settled); :data:`CHECK_APP_CHECKS` adds the
outcome of the user's own database check, when they gave one (``check-app --db-check``).
"""

from __future__ import annotations

from chaos.checker.check import BANK_CHECKS
from chaos.checker.compose import compose
from chaos.checker.connect_storm import ConnectStormChecker
from chaos.checker.db_check import DatabaseCheckChecker
from chaos.checker.exercised import ExercisedChecker
from chaos.checker.hang import HangChecker
from chaos.checker.recovery import RecoveryChecker
from chaos.checker.settled import SettledChecker

HTTP_CHECKS = compose(
    "http",
    RecoveryChecker(),
    HangChecker(),
    ConnectStormChecker(),
    SettledChecker(),
    ExercisedChecker(),
)
APP_CHECKS = compose("app", *BANK_CHECKS.members, SettledChecker())
CHECK_APP_CHECKS = compose("check-app", *HTTP_CHECKS.members, DatabaseCheckChecker())
