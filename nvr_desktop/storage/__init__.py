"""SQLite through SQLAlchemy: schema, migrations, repositories and the single writer thread."""
