"""Can MediaPipe's under-reading of pelvic drop and FPPA be corrected? A study on rendered truth.

``features`` turns the accuracy benchmark's cached clips into per-frame and
per-rep read / true pairs with covariates; ``models`` holds the candidate
linear corrections; ``crossval`` fits them on some bodies, rooms, views or
movements and scores them on the others; ``run`` prints the before / after
tables of docs/validation.md's "Calibrated FPPA" section; the shipped
gain is valgus.analysis.calibration.FPPA_GAIN.
"""
