"""Demonstration data for `make run`: divisions, teams, one login per role.

Refused when CAIRN_ENV=production. Every demo login shares one published TOTP
key (DEMO_TOTP_KEY) so a newcomer can sign in with any authenticator app, or
with `make otp`, which prints the current code.
"""
