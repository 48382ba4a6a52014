"""
Database upkeep that the services share: fresh planner statistics after a bulk change.

PostgreSQL plans a query from the statistics `ANALYZE` gathers. Autovacuum
refreshes them only after a while, so right after an import the planner
still thinks a table is empty or small and may choose a plan that is
orders of magnitude slower (at national scale a reach page took 152 s
before `ANALYZE`, 478 ms after). Every import and bulk change therefore ends
with `analyze(...)` of the tables it filled.

SQLite does nothing: without the `sqlite_stat1` table its planner uses fixed
heuristics that never go stale, whereas statistics gathered once would go
stale like PostgreSQL's and would have to be refreshed after every change,
and would change the query plans the pages are measured and tested with.
"""

from __future__ import annotations

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction


def analyze(*tables: type[models.Model], using: str = DEFAULT_DB_ALIAS) -> None:
    """
    Refresh the planner statistics of the models' tables, once the transaction commits.

    Inside an atomic block it runs after the outermost one commits (and not
    at all if it rolls back); outside one, at once. Each table is analysed
    once, however often it is named. PostgreSQL only; see the module notes.
    """
    if connections[using].vendor != "postgresql":
        return
    names = list(dict.fromkeys(model._meta.db_table for model in tables))

    def run() -> None:
        connection = connections[using]
        with connection.cursor() as cursor:
            for name in names:
                cursor.execute(f"ANALYZE {connection.ops.quote_name(name)}")

    transaction.on_commit(run, using=using)
