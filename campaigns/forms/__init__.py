"""Forms of the campaigns app: the builder's steps and the live edits."""
