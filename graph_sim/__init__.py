"""A local stand-in for the Meta Marketing (Graph) API, built from ../shared/seeds/. No Django."""
