"""
Pages that compose several apps: the overview, municipality and office pages
and the data-quality list. Views only; calls other apps' selectors.
"""
