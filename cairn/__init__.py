"""Cairn: public contact and engagement platform for police services."""
