"""Inbound channel webhooks: thin views over cairn.contacts.channels."""
