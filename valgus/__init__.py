"""valgus: screen squats and single-leg tests on video for knee valgus and pelvic drop."""
