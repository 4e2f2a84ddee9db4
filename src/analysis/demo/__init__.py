"""Embedded demo disclosures (invented departments) that `make run` screens on a fresh clone."""
