"""The words the frames use for a finding's severity and a document's status, named once.

Every stage writes or reads these values (extraction sets ``documents.status``, the rules
declare a severity, the comparison filters on both, the report and the CLI sort and choose by
them); the display words for each are data (``metadata/report/labels.toml``, whose sections
``tests/test_vocab.py`` holds against these). Members are ``str``: frames keep plain strings.
"""

from __future__ import annotations

from enum import StrEnum


class Severity(StrEnum):
    """``findings.severity``; an error says the document is wrong, certainly (DOMAIN.md §0.4)."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


SEVERITIES: tuple[str, ...] = tuple(s.value for s in Severity)
"""Most severe first: the order findings are sorted and ``--min-severity`` cuts by. Plain
strings (click shows an Enum choice by its member name, ERROR)."""


class DocumentStatus(StrEnum):
    """``documents.status``: how far a file was read (a bad file is a row, never lost)."""

    OK = "ok"
    PARTIAL = "partial"
    """Read with problems; ``documents.error`` says which."""
    NARRATIVE_ONLY = "narrative_only"
    """A 说明 published apart from its tables: its text is checked, it is no failure."""
    FAILED = "failed"


DOCUMENT_STATUSES: tuple[str, ...] = tuple(s.value for s in DocumentStatus)
