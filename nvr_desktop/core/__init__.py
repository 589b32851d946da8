"""Pure domain logic: no Qt, no PyAV, no database."""
