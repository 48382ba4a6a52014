"""The yearly report to KKR Sjælland and its published view (issue 13)."""
