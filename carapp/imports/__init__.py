"""Registers kept elsewhere, brought in: a spreadsheet read (:mod:`.sheets`), its headings
matched to our fields (:mod:`.headings`, :mod:`.mapping`), its cells read as our values
(:mod:`.values`), its rows built into findings against the register (:mod:`.build`, with
carapp's own export read whole by :mod:`.own_export`) and previewed (:mod:`.plan`); the use
case that writes a plan is :func:`carapp.operations.importing.run_import`."""
