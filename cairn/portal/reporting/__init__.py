"""Online reporting: one question per page, driven by the form definitions in policy/forms/."""
