"""Public pages: home, reporting, tracking, booking, feedback."""
