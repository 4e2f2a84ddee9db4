"""One module per CLI verb beyond extract; cli.py registers them."""
