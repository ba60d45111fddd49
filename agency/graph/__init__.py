"""The only code that speaks HTTP to Meta's Graph API. Imports no Django app: it takes a token,
the app secret and ids, never a model (factory.py is the one optional bridge to settings)."""

from agency.graph.batch import MAX_BATCH, BatchRequest, BatchResult, ref
from agency.graph.cache import InProcessETagCache
from agency.graph.client import GraphClient, GraphResponse, RetryPolicy, appsecret_proof
from agency.graph.errors import (
    GraphAuthError,
    GraphConnectionError,
    GraphError,
    GraphNotFoundError,
    GraphOutcomeUnknownError,
    GraphPermissionError,
    GraphThrottleError,
    GraphTransientError,
    GraphValidationError,
)
from agency.graph.fields import Field, fields
from agency.graph.guard import DuplicateGuard, MarkerGuard, idempotent_name
from agency.graph.throttle import (
    AccountUsage,
    InProcessUsageStore,
    RedisUsageStore,
    Throttle,
    ThrottlePolicy,
    usage_for_account,
)
from agency.graph.uploads import UploadResult, UploadState, upload_video

__all__ = [
    "MAX_BATCH",
    "AccountUsage",
    "BatchRequest",
    "BatchResult",
    "DuplicateGuard",
    "Field",
    "GraphAuthError",
    "GraphClient",
    "GraphConnectionError",
    "GraphError",
    "GraphNotFoundError",
    "GraphOutcomeUnknownError",
    "GraphPermissionError",
    "GraphResponse",
    "GraphThrottleError",
    "GraphTransientError",
    "GraphValidationError",
    "InProcessETagCache",
    "InProcessUsageStore",
    "MarkerGuard",
    "RedisUsageStore",
    "RetryPolicy",
    "Throttle",
    "ThrottlePolicy",
    "UploadResult",
    "UploadState",
    "appsecret_proof",
    "fields",
    "idempotent_name",
    "ref",
    "upload_video",
    "usage_for_account",
]
