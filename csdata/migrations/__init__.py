"""Numbered SQL migrations, applied in order by `csdata.warehouse`; append-only."""
