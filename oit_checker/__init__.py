"""oit-checker: audit Thai agency websites for the ITA open-data instrument (OIT)."""

__version__ = "0.1.0"
