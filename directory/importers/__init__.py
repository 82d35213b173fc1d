"""Importers that change the directory's state: ORUK JSON (files and live feeds) and CSV.
The management commands are thin wrappers around these."""
