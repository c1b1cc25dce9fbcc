"""Transport pieces shared by every API client: a rate limiter, a retry policy, and the
exchange that sends requests under both (``mailform.http.exchange``)."""

from mailform.http.exchange import AmbiguousOutcome, Exchange, json_object
from mailform.http.ratelimit import SlidingWindow
from mailform.http.retry import RetryPolicy

__all__ = ["AmbiguousOutcome", "Exchange", "RetryPolicy", "SlidingWindow", "json_object"]
