"""The simulated LuxSci REST API v2: an independent implementation of its documented behaviour.

Layers, one job per module: :mod:`.values` reads request values tolerantly, :mod:`.errors`
names the refusals, :mod:`.account` and :mod:`.marketing` hold the account model and its rules
(pure Python, no HTTP), :mod:`.auth` authenticates and verifies signatures, :mod:`.service`
owns the state section and credentials, :mod:`.app` is the HTTP face, and :mod:`.seed` loads a
stack file. Like the rest of :mod:`mailform.sandbox`, nothing here imports the client.
"""
