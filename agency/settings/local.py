"""The embedded default for a newcomer's machine: SQLite, filesystem broker, the simulator."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
GRAPH_API_BASE_URL = env("GRAPH_API_BASE_URL", default="http://127.0.0.1:8765")
