"""
Deterministic demo data, labelled "demodata" wherever it shows.

Adds what the facts lack so every page can be tried (a demo lead for CLEAN)
and the demo login. Never loaded by `klynge load-sjaelland`. Calls other
apps' services only.
"""
