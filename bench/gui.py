"""GUI timings on one register, each beside a baseline measured in the same run.

Run by ``python -m bench`` in a fresh process per measurement: ``python -m bench.gui
REGISTER WHAT`` prints one JSON object. Qt runs offscreen.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import os
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

TODAY = dt.date(2026, 11, 23)
TYPED = "backup"
TRIES = 3


class FirstPaint:
    """When a widget has finished painting for the first time (once ``ready()`` holds)."""

    def __init__(self, widget: Any, ready: Any = lambda: True) -> None:
        from PySide6.QtCore import QEvent, QObject, QTimer

        self.at: float | None = None
        self.widget = widget
        outer = self

        class Filter(QObject):
            def eventFilter(self, _watched: QObject, event: QEvent) -> bool:  # noqa: N802
                if event.type() is QEvent.Type.Paint and outer.at is None and ready():
                    # Runs before the paint itself; the timer fires right after it.
                    QTimer.singleShot(0, outer.mark)
                return False

        self._filter = Filter(widget)
        widget.installEventFilter(self._filter)

    def mark(self) -> None:
        if self.at is None:
            self.at = time.perf_counter()

    def remove(self) -> None:
        self.widget.removeEventFilter(self._filter)


def make_application(argv: list[str]) -> Any:
    from carapp.ui.app import make_application as make

    return make(argv)


def _wait(window: Any, app: Any) -> None:
    while not window.up_to_date():
        window.query.wait()
        app.processEvents()
    app.processEvents()


def _until_repainted(window: Any, app: Any) -> float:
    """Wait for the table to show the newest answer; the moment its rows have painted."""
    painted = FirstPaint(window.table.viewport(), ready=window.up_to_date)
    while painted.at is None:
        if not window.up_to_date():
            window.query.wait()
        app.processEvents()
    painted.remove()
    return painted.at


def open_to_paint(path: str | None) -> dict[str, float]:
    """Seconds from opening the register at ``path`` to its first painted table; None opens
    a new, empty register instead (the baseline). Both runs first create a scratch register,
    so that each starts with the same modules loaded and the same one-time setup done."""
    from pathlib import Path

    from PySide6.QtCore import QSettings

    from carapp.operations import create_register
    from carapp.store import open_register
    from carapp.ui.main_window import MainWindow

    app = make_application([])
    settings = QSettings(tempfile.mktemp(suffix=".ini"), QSettings.Format.IniFormat)
    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder) / "empty.sqlite"
        create_register(scratch, "Bench").close()
        start = time.perf_counter()
        register = open_register(path or scratch)
        window = MainWindow(register, today=lambda: TODAY, settings=settings)
        painted = FirstPaint(window.table.viewport())
        window.show()
        while painted.at is None:
            app.processEvents()
        assert painted.at is not None
        first = painted.at - start
        _wait(window, app)
        everything = time.perf_counter() - start
        window.close()
        register.close()
    return {"seconds": first, "all_rows_seconds": everything}


def bare_window(_path: str) -> dict[str, float]:
    """The same main window on an empty register: what opening costs without the data."""
    return open_to_paint(None)


def interactive(path: str) -> dict[str, Any]:
    from PySide6.QtCore import QSettings, Qt
    from sqlalchemy.dialects import sqlite

    from carapp.queries import register_table as rt
    from carapp.store import open_register
    from carapp.ui.main_window import MainWindow

    app = make_application([])
    settings = QSettings(tempfile.mktemp(suffix=".ini"), QSettings.Format.IniFormat)
    register = open_register(path)
    window = MainWindow(register, today=lambda: TODAY, settings=settings)
    window.show()
    _wait(window, app)

    # Each prefix of TYPED as typed, best of TRIES for carapp and for the bare query alike:
    # on a shared machine, noise only ever adds time.
    keystrokes, raw = [], []
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    for i in range(1, len(TYPED) + 1):
        shown = []
        for _ in range(TRIES):
            window.search.setText(TYPED[:i])
            start = time.perf_counter()
            window.refresh()  # what the debounce timer calls once typing pauses
            shown.append(_until_repainted(window, app) - start)
        keystrokes.append(min(shown))
        # The very queries the window runs (same filter, same order), as SQL text.
        queries = rt.ids_queries(
            rt.RegisterFilter(search=TYPED[:i]),
            TODAY,
            window.sort_column,
            window.sort_descending,
            full_text=True,
        )
        literal = {"literal_binds": True}
        sqls = [str(q.compile(dialect=sqlite.dialect(), compile_kwargs=literal)) for q in queries]
        answered = []
        for _ in range(TRIES):
            start = time.perf_counter()
            for sql in sqls:
                conn.execute(sql).fetchall()
            answered.append(time.perf_counter() - start)
        raw.append(min(answered))
    conn.close()
    window.search.setText("")
    window.refresh()
    _wait(window, app)

    sorts: dict[str, float] = {}
    for index, column in enumerate(window.model.columns):
        for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
            start = time.perf_counter()
            window.table.sortByColumn(index, order)
            took = _until_repainted(window, app) - start
            sorts[column.value] = max(took, sorts.get(column.value, 0.0))

    bar = window.table.verticalScrollBar()
    worst = 0.0
    step = max(1, bar.pageStep())
    for value in range(0, bar.maximum() + step, step):
        start = time.perf_counter()
        bar.setValue(value)
        window.table.viewport().repaint()
        app.processEvents()
        worst = max(worst, time.perf_counter() - start)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    window.close()
    register.close()
    return {
        "keystroke_median": statistics.median(keystrokes),
        "raw_median": statistics.median(raw),
        "sorts": sorts,
        "scroll_worst": worst,
        "rss_mb": rss_mb,
    }


def attach(path: str) -> dict[str, float]:
    """The longest pause of the GUI thread (a timer ticking every 10 ms) while the finding
    editor reads and hashes a 20 MB file added to the first finding; best of TRIES.
    Nothing is saved."""
    from pathlib import Path

    from PySide6.QtCore import QTimer
    from sqlalchemy import select

    from carapp.models.entities import Finding
    from carapp.store import open_register
    from carapp.ui.editor import FindingEditor
    from carapp.ui.editor.attachments import AttachmentsSection

    app = make_application([])
    register = open_register(path)
    with register.sessions() as session:
        ref = session.scalars(select(Finding.ref).order_by(Finding.id).limit(1)).one()
    editor = FindingEditor(register, ref, TODAY)
    editor.show()
    editor.show_key("attachments")
    section = editor.section("attachments")
    assert isinstance(section, AttachmentsSection)
    worst: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        big = Path(folder) / "export.csv"
        big.write_bytes(os.urandom(20 * 1024 * 1024))
        for _ in range(TRIES):
            ticks: list[float] = []
            timer = QTimer()
            timer.setInterval(10)
            timer.timeout.connect(lambda ticks=ticks: ticks.append(time.perf_counter()))
            timer.start()
            settle = time.perf_counter() + 0.05
            while time.perf_counter() < settle:
                app.processEvents()
            section.add_paths([big])
            while section.is_reading():
                app.processEvents()
            settle = time.perf_counter() + 0.03
            while time.perf_counter() < settle:
                app.processEvents()
            timer.stop()
            worst.append(max(b - a for a, b in itertools.pairwise(ticks)))
            section.load(section.detail)
    editor.discard()
    register.close()
    return {"seconds": min(worst)}


def main() -> int:
    path, what = sys.argv[1], sys.argv[2]
    measure = {
        "open": open_to_paint,
        "bare": bare_window,
        "interactive": interactive,
        "attach": attach,
    }[what]
    print(json.dumps(measure(path)), flush=True)
    # The measurement is out; skip interpreter teardown, where PySide6 can abort while its
    # thread pools are finalised, which would turn a good run into a failed one.
    os._exit(0)


if __name__ == "__main__":
    sys.exit(main())
