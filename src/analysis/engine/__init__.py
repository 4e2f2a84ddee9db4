"""The run engine (issue 14): per-document tasks on local worker processes or a Dask cluster,
a resumable per-document cache, and atomic outputs.

``run_documents`` is what ``analysis.pipeline`` calls: every file's extraction and checks as
one task, each finished document's rows written to the cache at once, then the run's frames
gathered from the cache in file order. A run killed at any point resumes from what was
finished; memory in the scheduling process does not grow with the documents in flight.
"""

from analysis.engine.run import EngineResult, run_documents

__all__ = ["EngineResult", "run_documents"]
