"""The demo township (9 communities, 606 retired members), built N times by
``flask seed-demo``."""
