"""Contacts: one communication from the public on one channel, in one shape.

Every channel adapter (web form, API, email, SMS, chat, social, device, phone)
ends in :func:`cairn.contacts.services.receive_contact`, so triage sees one
kind of thing whatever door it came through.
"""
