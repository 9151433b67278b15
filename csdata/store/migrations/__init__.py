"""Numbered SQL migrations, applied in order by `csdata.store.warehouse`; append-only."""
