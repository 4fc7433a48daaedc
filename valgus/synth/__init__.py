"""Synthetic clips with known ground truth (``valgus synth``)."""
