"""Places: divisions, stations, council areas; later postcodes and locations."""
