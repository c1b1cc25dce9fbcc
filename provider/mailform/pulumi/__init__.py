"""Every mailform object type as a Pulumi dynamic resource, generically.

- ``provider``: the one ``ResourceProvider`` (check, diff, create, read, update, delete) over
  an ``ObjectType`` description, named by two plain strings so that the pickle Pulumi keeps
  in state is a tiny reference to installed code, never code or credentials.
- ``resources``: the resource classes (``Alias``, ``User``…), generated from the same
  descriptions; ``from mailform.luxsci import Alias`` gives them.
- ``program``: the YAML-driven program behind ``__main__.py``: one resource per object
  declared in ``stacks/<stack>.yaml``.
- ``properties``/``changes``: between Pulumi's property bags and the models (validation,
  normal forms, outputs) and the Pulumi diff, both reusing the engine's own rules.
- ``settings``/``connections``: credentials from stack config or the environment, and one
  shared client, rate limiter and short-lived list cache per plugin process.
- ``secrets``: a Pulumi secret where a model expects a ``{env: NAME}`` reference.
- ``stubs``: writes ``provider/<service>/__init__.pyi``, the classes' typed signatures.

How the Python dynamic provider behaves in pulumi 3.272, and why each choice here was made,
is in ``docs/pulumi.md``. Importing this package does not import pulumi; its modules do.
"""
