"""Transport pieces shared by every API client: a rate limiter, a retry policy, and the
exchange that sends requests under both (``provider.http.exchange``)."""

from provider.http.exchange import AmbiguousOutcome, Exchange, json_object
from provider.http.ratelimit import TokenBucket
from provider.http.retry import RetryPolicy

__all__ = ["AmbiguousOutcome", "Exchange", "RetryPolicy", "TokenBucket", "json_object"]
