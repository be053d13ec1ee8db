"""All SQL lives in this package: the connection, the migrations and one query module per area."""
