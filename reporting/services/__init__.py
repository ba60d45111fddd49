"""Reporting services: ingestion (ingest.py), the refresh policy (refresh.py), range reach
(reach.py) and scheduled reports (scheduled.py)."""
