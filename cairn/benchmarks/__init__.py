"""Endpoints that exist only for bench/ (mounted when CAIRN_BENCH=1)."""
