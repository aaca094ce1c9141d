"""Import of monitoring files: a test's item list and pupils' answers (CSV or XLSX).

Files are read with the registry's reader (:func:`auyl.registry.io.reading.read_table`: size
and row limits, encodings, XLSX, header checks) and problems are reported as the registry's
:class:`~auyl.registry.io.validation.Issue` (row as the spreadsheet shows it, column, reason).

- :mod:`.formats`: the columns of each file, built from the test's items;
- :mod:`.items`: the item list of a test (replaces the items, all or nothing);
- :mod:`.responses`: pupils' answers, wide or long, raw or scored → a plan (preview) that
  :func:`.responses.apply_plan` writes in one transaction; re-importing a file changes nothing.
"""
