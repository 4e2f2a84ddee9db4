"""The execution statements of a 决算 as the rules read them: parsed once per document.

The parser is :mod:`analysis.sentences.execution` (the comparison reads it too).
"""

from __future__ import annotations

from analysis.sentences.execution import Statement, document_statements


def final_statements(ctx) -> list[Statement]:
    """The execution statements of a 决算 (none for other documents), read once per document."""
    if "statements" not in ctx.memo:
        final = ctx.document.get("doc_type") == "final_account"
        ctx.memo["statements"] = document_statements(ctx.text_rows) if final else []
    return ctx.memo["statements"]
