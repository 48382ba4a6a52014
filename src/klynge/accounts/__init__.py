"""
Users, their roles and bindings, and the object-level permission rules.

Roles (design §1): sekretariat, kommune, leadkommune, klyngekontor, læser.
The rules in `permissions` are the single place that says who may do what;
views, admin, commands and the API ask `user.has_perm(name, obj)`.
"""
