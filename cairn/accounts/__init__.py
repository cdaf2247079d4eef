"""Staff accounts, roles and capabilities, teams, login with MFA, lockout."""
