"""Bench-only Django site for `pages.py`: production settings plus a hello-world view."""
