"""What is drawn over a frame for a coach: annotators, drawing primitives, the flag strip."""
