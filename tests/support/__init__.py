"""Helpers the tests call: builders, constants, parsers, servers. No fixtures live here
(they are in the conftest.py of the folder whose tests use them) and no test imports a
test module or a conftest module: what two places need is defined here once."""
