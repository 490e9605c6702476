"""joeladr: evidence-backed architecture decisions from the talks you watched."""

__version__ = "0.1.0"
