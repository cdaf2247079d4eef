"""Your contacts with us: a member of the public sees the contacts they made,
after proving by a code that they hold an email address or mobile number."""
