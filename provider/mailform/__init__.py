"""mailform: email-service accounts (LuxSci, LianaMailer) as code.

The package is laid out by layer:

- ``mailform.http``: transport pieces every API client shares (rate limiting, retries).
- ``mailform.luxsci`` / ``mailform.lianamailer``: one API client per service, and one module per
  object type that describes it once (model, natural key, API mapping, references).
- ``mailform.stackfile``: YAML stack files with line context, secret references, JSON Schema.
- ``mailform.engine``: diff, plan, ordering and apply, generic over object-type descriptions.
- ``mailform.pulumi``: the Pulumi dynamic-provider adapter over the same descriptions.
- ``mailform.sandbox``: independent simulators of both APIs (imports none of the above).
- ``mailform.cli``: the ``mailform`` command, a thin layer over the engine.
"""
