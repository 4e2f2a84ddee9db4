"""Readers of narrative sentences, below every stage: pure text in, plain dataclasses out.

Extraction (``normalise``) and the checks both read the 说明's sentences, and the comparison
reads the execution statements of a 决算; the parsers they share live here, so no stage reaches
sideways or up for them. Nothing here decides right or wrong, and nothing reads a frame.
"""
