"""How long work tells how far it has got: exports, imports and the bulk reads behind them."""

from __future__ import annotations

from collections.abc import Callable

# Called as work goes on: (done, total; total may be an estimate). It may raise to stop
# the work (the GUI's Cancel does).
Progress = Callable[[int, int], None]


def no_progress(_done: int, _total: int) -> None:
    pass
