"""The application layer: what each command means, once, for every front end.

A front end (the CLI in :mod:`joeladr.cli`, the MCP server in :mod:`joeladr.agents`) parses what
the user or the agent gave into one typed request (a frozen dataclass of :mod:`joeladr.app.adrs`,
:mod:`~joeladr.app.evidence` or :mod:`~joeladr.app.decisions`), runs it against a
:class:`~joeladr.app.workspace.Workspace` (``workspace.run(request)``), and presents the result.
Everything a command decides lives here or below: the limits of every number (checked when the
request is made), which template a new ADR gets, which steps run under the workspace lock, when an
ingest has failed as a whole, which source ids exist. The front ends only parse and present, so
they cannot drift apart (``tests/test_parity.py`` builds every request from both and compares).
"""
