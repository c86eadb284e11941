"""The GUI: batch."""
