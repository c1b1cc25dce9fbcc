"""Local simulators of the email-service APIs mailform talks to, for tests and benchmarks.

The sandbox speaks real HTTP with real request signing, keeps its state in an SQLite file (one
transaction per API call, see :mod:`mailform.sandbox.store`) so that ``apply`` then ``plan``
converges across runs, enforces the documented rules of each API, and can
inject latency, rate limits, server errors, dropped connections and expired authentication.

It is an *independent* implementation, written from the services' API references and the
wire contract (``docs/api-assumptions.md``). It must never import the client, the object
types or the engine (``mailform.luxsci``, ``mailform.lianamailer``, ``mailform.engine``,
``mailform.stackfile``, ``mailform.pulumi``): a test in which the client and the simulator
share code only shows the client agreeing with itself.

It guards what it holds (``docs/sandbox.md``): its credentials are its own, never the
environment's; the control endpoints need its control token and a loopback Host; every
request is bounded (:mod:`mailform.sandbox.guard`, :mod:`mailform.sandbox.limits`) and
answered in its service's envelope, never with a 500.

Entry points: :class:`mailform.sandbox.server.SandboxApp` (the ASGI app),
:class:`mailform.sandbox.server.SandboxServer` (uvicorn on a free local port) and
:class:`mailform.sandbox.inprocess.SandboxTransport` (an httpx transport, no sockets).
"""
