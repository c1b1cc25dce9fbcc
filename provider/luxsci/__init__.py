"""LuxSci: the API client and one module per object type mailform manages."""
