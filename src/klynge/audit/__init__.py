"""
Audit trail: an append-only log of every change to money, participation,
agreement and contract data, written in the same transaction as the change.
"""
