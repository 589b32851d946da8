"""PyAV stream engine (no Qt): per-camera workers, supervisor, frame store, recorder, playback."""
