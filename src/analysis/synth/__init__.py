"""Synthetic budget disclosures with labelled anomalies (issue 5).

``generate(out_dir, departments=40, years=(2023, 2024, 2025), formats=("text",),
anomaly_rate=0.3, seed=0)`` writes a fictional district's 部门预算 documents in the seed's
Henan 12-table layout (text, PDF or xlsx) plus ``labels.parquet`` (planted anomalies),
``truth.parquet`` (every clean figure) and ``documents.parquet`` (one row per file), and
returns the labels frame.
"""

from analysis.synth.generate import FORMATS, generate

__all__ = ["FORMATS", "generate"]
