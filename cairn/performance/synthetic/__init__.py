"""Synthetic national demand: years of realistic contacts, calls and events, written by COPY.

For the performance framework's dashboards and benchmarks (``manage.py
generate_demand``). Everything is drawn from one seeded ``random.Random``, so a
seed gives the same history every time (only the database ids differ). The
shapes follow what a Scottish force sees: the channel mix, the night trough and
evening peak, busier Friday and Saturday nights, a summer and a late-December
peak, the 13 divisions weighted by population, people who contact again and
again and places that do (hot spots), one contact in five that is failure
demand, 999 calls answered in seconds and handled in minutes, 101 calls
answered in minutes, Local Policing Appointment waits in days that differ by
division, cases handed on, partner referrals with the agencies' answers and
outcomes, messages to the person (nearly all sent within seconds), messages
and survey answers from the person, skewed positive.

Rows are written as the services write them: the events carry the same names,
dimensions and ``data`` keys (see the ``record_event`` calls in contacts,
people, triage, cases, resolution, appointments, partners, notify and
engagement), so every measure in :mod:`cairn.performance.measures` has figures.
Only the events the measures read are written, and only contacts, calls and
events: the ids in events about cases, appointments, referrals, teams, people
and messages name no row. References are ``SYN-YYMMDD-<id>``, never the
``CRN-`` sequence's. The contacts are all decided or closed, so no work queue
fills with history.

Modules: ``shapes`` (the weights and the clock), ``history`` (contacts, calls,
people and places), ``aftermath`` (decisions and what follows them), ``writer``
(COPY from writer threads).
"""

from cairn.performance.synthetic.history import Batch, Generator, reserve_ids
from cairn.performance.synthetic.shapes import Plan
from cairn.performance.synthetic.writer import Written, generate

__all__ = ["Batch", "Generator", "Plan", "Written", "generate", "reserve_ids"]
