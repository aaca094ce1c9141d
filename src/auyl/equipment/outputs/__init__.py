"""What a plan produces for people outside Auyl: the procurement list (XLSX), a letter per
school (PDF, Kazakh or Russian) and the charts (PNG). Each output is built from plain rows
(:mod:`.rows`), so the ``auyl plan equipment`` command writes the same files as the pages.
"""
