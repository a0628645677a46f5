"""Only the GUI layer talks to Qt: domain, storage and the command line must not."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "carapp"
QT_MODULES = ("PySide6", "shiboken6")


def qt_imports(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        found += [n for n in names if n.split(".")[0] in QT_MODULES]
    return found


def test_no_module_outside_ui_imports_qt() -> None:
    offenders = {
        str(path.relative_to(PACKAGE)): qt_imports(path)
        for path in PACKAGE.rglob("*.py")
        if "ui" not in path.relative_to(PACKAGE).parts and qt_imports(path)
    }
    assert offenders == {}


def test_the_ui_package_does_import_qt() -> None:
    # Guards the test above against scanning the wrong folder.
    assert any(qt_imports(p) for p in (PACKAGE / "ui").rglob("*.py"))


def test_running_commands_never_loads_qt(tmp_path: Path) -> None:
    register = tmp_path / "r.sqlite"
    script = (
        "import sys\n"
        "from carapp.cli import main\n"
        f"assert main(['demo', {str(register)!r}, '--findings', '20']) == 0\n"
        f"for args in (['list'], ['check'], ['audits', '--json']):\n"
        f"    assert main(['--register', {str(register)!r}, *args]) == 0\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('PySide6', 'shiboken6'))\n"
        "print(loaded)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "[]"
