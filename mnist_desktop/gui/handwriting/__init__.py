"""The GUI: handwriting."""
