"""The finding editor: every step of clause 10.2 done in one window per finding."""

from carapp.ui.editor.window import FindingEditor

__all__ = ["FindingEditor"]
