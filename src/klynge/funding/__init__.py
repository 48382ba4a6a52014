"""
The funding ledger: every stream a cluster office lives on besides the
municipal shares (national, regional, UFS, university), with what has been
received, beside the municipal shares from the approved runs.
"""
