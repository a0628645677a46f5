"""The five-whys wizard and workshop mode."""

from carapp.ui.workshop.window import WorkshopWindow

__all__ = ["WorkshopWindow"]
