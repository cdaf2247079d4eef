"""Open311 GeoReport v2, so civic reporting tools (FixMyStreet) can submit non-emergency reports."""
