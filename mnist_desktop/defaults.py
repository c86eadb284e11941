"""Defaults shared by the reading code and the command line, in a module that imports
nothing: the command line parses its options (``--help``, usage errors) without numpy."""

DEFAULT_MIN_CONFIDENCE = 0.7
"""Below this probability an answer is reported as *unsure* rather than as a digit."""
