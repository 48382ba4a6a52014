"""
Collection of the municipal shares: payment requests (opkrævninger) made
from an approved allocation run, payments registered against them, and
their reconciliation per municipality and office.
"""
