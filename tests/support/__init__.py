"""Helpers that build test inputs (videos, broken files) at test time: the repo holds none."""
