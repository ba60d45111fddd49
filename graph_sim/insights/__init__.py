"""Insights: the numbers (`numbers`), parameter decoding (`params`), aggregation and report runs
(`engine`), and the HTTP endpoints (`endpoint`)."""
