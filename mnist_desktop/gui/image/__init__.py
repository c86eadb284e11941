"""The GUI: image."""
