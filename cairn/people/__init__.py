"""People: the single view of the person (identity, matching, merge, markers, history)."""
