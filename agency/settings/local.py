"""The embedded default for a newcomer's machine: SQLite, filesystem broker, the simulator."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DEBUG", default=True)
GRAPH_API_BASE_URL = env("GRAPH_API_BASE_URL", default="http://127.0.0.1:8765")
# The local simulator is started with this app (dev.py passes them to `python -m graph_sim`).
META_APP_ID = env("META_APP_ID", default="100000000000001")
META_APP_SECRET = env("META_APP_SECRET", default="adwright-local-simulator-secret")
