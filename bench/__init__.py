"""Benchmarks for Cairn: ``make bench`` (or ``python -m bench [names…]``). See README.md."""
