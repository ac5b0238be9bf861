"""Tables, engine and sessions, migrations and the SQL-backed FSM storage."""
