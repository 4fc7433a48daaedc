"""Coaches' corrections of the model's leg points on key frames, and what they change.

A correction is a person's placement of the hip, knee and ankle joint centres
(and optionally the ASIS) on one frame of an analysed clip. This package holds
what ``valgus serve`` and ``valgus analyze --corrections`` share: the points'
checks and angles (points), a correction as kept (record), the clip's frames
and picture (clip_frames), the reps and verdicts with the coach's values in
(reps), the report section (report_section) and the JSON file (file).
"""
