"""Inbound channel webhooks (email, SMS, chat, social, device): thin views over cairn.contacts.channels."""
