"""The ``valgus`` command: argument parsing, shared options, ``valgus analyze``."""
