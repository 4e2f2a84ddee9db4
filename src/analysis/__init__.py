"""Screen Chinese government budget and final-account disclosures (see README.md)."""


def __getattr__(name: str):
    # ``analysis.panel(...)`` without importing the compare stage when the package is imported
    if name == "panel":
        from analysis.execution_panel import panel

        return panel
    raise AttributeError(f"module 'analysis' has no attribute {name!r}")
