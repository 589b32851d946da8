"""Users, password hashing, roles and permission checks, the keyring vault and the audit log."""
