"""Audit log for DPA 2018 s.62: who did what to which personal data, and why.

Call :func:`cairn.audit.services.record` in the same transaction as the action.
Rows are append-only (a trigger refuses UPDATE and DELETE) and hash-chained by
:func:`cairn.audit.chain.seal_pending`; ``manage.py audit_verify`` checks the chain.
"""
