"""The GUI: common."""
