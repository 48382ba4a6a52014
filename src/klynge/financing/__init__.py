"""
Co-financing agreements and allocation runs.

Owns agreements (terms per year, financed offices, leads, participation) and
stored allocation runs with their fingerprints. Computes through
klynge.core.cofinancing; reads the register through klynge.masterdata.
"""
