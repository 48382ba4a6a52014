"""The REST API at /api/v1 (django-ninja): thin operations over services and selectors."""
