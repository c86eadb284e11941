"""The GUI: result."""
