"""Benchmarks: scripts that measure and print Adwright's figures (never pass or fail on a timing).

`python3 dev.py bench <name> [--size N]`; see bench/README section "Benchmarks" in the README.
"""
