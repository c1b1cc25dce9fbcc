"""The simulated LianaMailer REST API (V1 calls): an independent implementation of the contract
in ``docs/api-assumptions.md`` ("LianaMailer").

Layers, one job per module: :mod:`.errors` names the refusals, :mod:`.signing` verifies the
HMAC ``Authorization`` header, :mod:`.args` reads positional arguments, :mod:`.account` holds
the account model and its rules (pure Python, no HTTP), :mod:`.service` owns the state section
and the credentials, and :mod:`.app` is the HTTP face. Like the rest of
:mod:`mailform.sandbox`, nothing here imports the client.
"""
