"""Live webcam analysis with real-time cues (``valgus live``)."""
