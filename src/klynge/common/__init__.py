"""
Shared helpers without models: Danish formatting filters, the data basis
(fact, assumption, demo) and the navigation. May be imported by every app;
imports no other klynge app.
"""
