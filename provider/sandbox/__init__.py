"""Local simulators of the email-service APIs mailform talks to, for tests and benchmarks.

The sandbox speaks real HTTP with real request signing, keeps its state in a JSON file so that
``apply`` then ``plan`` converges across runs, enforces the documented rules of each API, and can
inject latency, rate limits, server errors, dropped connections and expired authentication.

It is an *independent* implementation, written from the API references
(``shared/api/luxsci.md``) and the wire contract (``docs/api-assumptions.md``). It must never
import the client, the object types or the engine (``provider.luxsci``, ``provider.lianamailer``,
``provider.engine``, ``provider.stackfile``, ``provider.pulumi``): a test in which the client and
the simulator share code only shows the client agreeing with itself.

Entry points: :class:`provider.sandbox.server.SandboxApp` (the ASGI app),
:class:`provider.sandbox.server.SandboxServer` (uvicorn on a free local port) and
:class:`provider.sandbox.inprocess.SandboxTransport` (an httpx transport, no sockets).
"""
