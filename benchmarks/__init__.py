"""Benchmarks of nnlib and its views, kept outside the library: ``python -m benchmarks.<name>``."""
