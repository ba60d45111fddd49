"""Settings packages: base (shared), local (embedded default), production, test."""
