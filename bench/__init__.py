"""Benchmarks of the suite itself: run with ``python -m bench``."""
