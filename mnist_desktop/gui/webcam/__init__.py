"""The GUI: webcam."""
