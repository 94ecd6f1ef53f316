"""Writes of the scoring app: feed imports, scoring models, scoring runs, exports."""
