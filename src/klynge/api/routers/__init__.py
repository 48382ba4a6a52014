"""One router per area; each operation asks the permission the web's page asks."""
