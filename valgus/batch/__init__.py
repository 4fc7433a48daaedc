"""Batch analysis of many clips: local process pool or a Dask cluster (``valgus batch``)."""
