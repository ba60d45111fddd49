"""Pages of the campaigns app: the builder (builder.py) and what is live (live.py)."""
