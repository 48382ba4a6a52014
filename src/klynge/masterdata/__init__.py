"""
The register: municipalities with population series, partnerships (KKR),
national clusters, regional cluster offices, organisations and the timeline.

Owns the facts every other app builds on. Imports only klynge.common and
klynge.core.
"""
