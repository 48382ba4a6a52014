"""`python -m klynge` is the same as the `klynge` command."""

from klynge.cli import main

main()
