"""Pose estimation: model files, the MediaPipe landmarker, mirror averaging, time chunks in
parallel, and the PoseTrack it all produces.
"""
