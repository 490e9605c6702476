"""joeladr: evidence-backed architecture decisions from the talks you watched."""

import os

__version__ = "0.1.0"

# Nothing is written outside the workspace, joeladr's cache and the temp folder: onnxruntime
# (the query embedder, and faster-whisper's voice detection) otherwise writes telemetry under
# ~/.cache/Microsoft/ as soon as it is imported, so this must be set before any import of it.
os.environ["ORT_DISABLE_TELEMETRY"] = "1"
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")
