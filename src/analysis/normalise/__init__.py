"""Normalise recognised tables and narrative into tidy rows (line items, claims, targets)."""
