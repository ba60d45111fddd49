"""Writes of the accounts app, by topic: Meta connections and token storage, OAuth onboarding."""
