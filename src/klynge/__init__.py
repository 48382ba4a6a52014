"""Klynge: co-financing and follow-up of regional business-cluster offices."""

__version__ = "0.1.0"
