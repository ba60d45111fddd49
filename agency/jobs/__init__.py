"""Jobs: long work that an agency starts, leaves, and finds finished (progress, pause, cancel)."""
