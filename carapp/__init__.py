"""carapp: an ISO/IEC 27001 Corrective Action Register."""

__version__ = "0.1.0"
