"""
Pure domain maths of Klynge: money, apportionment and the co-financing rule.

Nothing here imports Django, reads files, or calls the clock; inputs are explicit
and values are immutable, so every figure can be reproduced from its inputs.
Enforced by import-linter (see pyproject.toml).
"""
