"""The GUI: draw."""
