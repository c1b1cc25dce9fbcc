"""LuxSci: the API client and one module per object type mailform manages.

The Pulumi resource classes (``from mailform.luxsci import Alias``) are imported on first
use, so that importing the client or the object types never imports pulumi.
"""

from mailform.pulumi.lazy import lazy_resources

__getattr__, __dir__ = lazy_resources(__name__, "luxsci")
