"""The append-only log of domain events that services write.

Services call :func:`cairn.events.services.record_event` inside their own
transaction, so an event exists exactly when the change it describes does.
The performance framework computes its measures from these facts.
"""
