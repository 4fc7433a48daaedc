"""Video files in and out: decoding with timestamps, H.264 writing, read-ahead."""
