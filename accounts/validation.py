"""Bounds of what people paste into the connection pages."""

# Meta's tokens are a few hundred characters; anything far longer is not a token (and would not fit
# in the query string of debug_token).
TOKEN_MAX_LENGTH = 2048
