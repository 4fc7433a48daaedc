"""Outputs of one analysed clip: report.json, CSV tables, annotated video."""
