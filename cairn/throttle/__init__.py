"""Rate limits on public actions (tracking look-ups, code requests), counted in PostgreSQL.

Keys are hashed with the secret key before they are stored, so an IP address
is never kept in clear; rows older than the longest window are pruned.
"""
