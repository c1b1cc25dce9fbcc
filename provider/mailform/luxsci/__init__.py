"""The LuxSci Pulumi resources, where programs import them:
``from mailform.luxsci import Domain, Alias, User`` (needs the ``pulumi`` extra). They are made
in the Pulumi layer (``mailform.pulumi.resources``); only programs import this package, so
the CLI never needs pulumi. ``__init__.pyi`` beside it types them for editors.
"""

from mailform.pulumi import publish

__all__ = publish(globals(), "luxsci")
