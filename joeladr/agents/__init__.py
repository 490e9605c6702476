"""Front end for agents: ``joeladr mcp``, the Model Context Protocol server over the core.

``server`` declares the tools, resources and the prompt (names, descriptions, JSON schemas)
and calls the same core functions as the CLI; ``bridge`` carries blocking core calls onto
worker threads: progress notifications out, cancellation in, errors as one line and a hint.
Like ``joeladr.cli``, nothing in the core imports this package.
"""
