"""Recording playback: the timeline, the synchronized video grid and the playback window."""
