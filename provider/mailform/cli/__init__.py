"""The ``mailform`` command line: thin click commands over the engine and the sandbox."""
