"""Local web app where coaches upload and review clips (``valgus serve``)."""
