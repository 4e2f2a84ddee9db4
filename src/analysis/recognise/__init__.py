"""Recognise the standard tables of a document: titles, kinds, units, notes, continuations."""

from analysis.recognise.tables import RecognisedTable, recognise_tables
from analysis.recognise.titles import match_title

__all__ = ["RecognisedTable", "match_title", "recognise_tables"]
