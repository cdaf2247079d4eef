"""Outbound email and SMS: templates per language, an outbox, delivery status.

Callers queue a message inside their own transaction (``services.queue_message``);
a task sends it after the transaction commits and retries with backoff. See
docs/notify.md.
"""
