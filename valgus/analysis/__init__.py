"""From a PoseTrack to a Session's numbers: filtering, kinematics, view and quality checks, events,
flags, rep metrics and the summary.
"""
