"""Import and export of the registry as CSV and XLSX: all or nothing, with a preview.

- :mod:`.datasets`: the four datasets and their columns (documented there);
- :mod:`.reading`: file → table of text cells, refusing broken files with a clear message;
- :mod:`.validation`: table → :class:`~.validation.Plan` (problems and changes, no writes);
- :mod:`.apply`: preview and apply in one transaction, keeping the audit history;
- :mod:`.export`: registry → CSV/XLSX of the schools a user may see;
- :mod:`.tasks`, :mod:`.views`, :mod:`.forms`, :mod:`.urls`: the background jobs and pages.
"""
