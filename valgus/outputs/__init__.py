"""Outputs of one analysed clip: report.json and report.html, CSV and OpenSim exports,
plots and key frames, and the annotated video."""
