"""Actions (writes, each run whole in one transaction by `Database.write`) and the queries that compose several
SQL calls (run by `Database.read`), one module per area. Routes decode, call one of these, and answer."""
