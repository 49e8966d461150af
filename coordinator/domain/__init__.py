"""Pure scheduling rules: no Flask, no database. Time is always a parameter."""
