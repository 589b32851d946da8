"""Application services that combine storage, security and media behind permission checks (no Qt)."""
