"""Transport pieces shared by every API client: a rate limiter and a retry policy."""

from provider.http.ratelimit import TokenBucket
from provider.http.retry import RetryPolicy

__all__ = ["RetryPolicy", "TokenBucket"]
