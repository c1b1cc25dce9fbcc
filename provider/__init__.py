"""mailform: email-service accounts (LuxSci, LianaMailer) as code.

The package is laid out by layer:

- ``provider.http``: transport pieces every API client shares (rate limiting, retries).
- ``provider.luxsci`` / ``provider.lianamailer``: one API client per service, and one module per
  object type that describes it once (model, natural key, API mapping, references).
- ``provider.stackfile``: YAML stack files with line context, secret references, JSON Schema.
- ``provider.engine``: diff, plan, ordering and apply, generic over object-type descriptions.
- ``provider.pulumi``: the Pulumi dynamic-provider adapter over the same descriptions.
- ``provider.sandbox``: independent simulators of both APIs (imports none of the above).
- ``provider.cli``: the ``mailform`` command, a thin layer over the engine.
"""
