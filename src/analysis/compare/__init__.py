"""Cross-department comparison (issue 6): indicators, peer groups and explainable outlier models.

``compare_frames(frames)`` takes the frames ``analysis extract`` writes and returns the
indicator table (one row per document, DOMAIN §6), the indicator scores within peer groups,
the department matches, Benford tests and outlier findings with rule ids ``outlier-*``.
"""

from analysis.compare.pipeline import compare_frames, read_processed, write_outputs

__all__ = ["compare_frames", "read_processed", "write_outputs"]
