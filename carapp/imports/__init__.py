"""Registers kept elsewhere, brought in: a spreadsheet read (:mod:`.sheets`), its headings
matched to our fields (:mod:`.headings`), its cells read as our values (:mod:`.values`), the
rows planned as findings and checked (:mod:`.plan`); the use case that writes a plan is
:func:`carapp.operations.importing.run_import`."""
