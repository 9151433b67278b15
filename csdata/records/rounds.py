"""A complaint's rounds: each result fed back to the customer and the customer's answer to it.

The rounds (`complaint_rounds`, one row per feedback: round n at time t, accepted, reopened, or
awaiting the answer) are the record; a ticket's `feedback_at`, `customer_accepted` and `reopened`
are their summary, kept for every reader that needs only the state: the latest feedback, the
answer to it, and whether any round was reopened. Whatever writes rounds (a workflow step in
`csdata.records.entry`, an import in `csdata.imports.ingest`) brings the summary in step with `summarise` in the
same transaction. The demo generator writes both from one draw (`csdata.demo.sample`).

A ticket row in a file carries only a summary; `IMPLIED` reads the fewest rounds that agree with
it (the same reading the migration that introduced rounds gave the tickets already stored).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

# The rounds a ticket summary implies, over a relation `{rows}` with the columns ticket_id, type,
# feedback_at, customer_accepted and reopened. Not accepted counts as reopened (it is the only
# refusal); reopened and then accepted or awaiting means round 1 reopened, at a time the summary
# did not keep, and round 2 at the latest feedback with the current answer.
IMPLIED = """
    SELECT ticket_id, n AS round, CASE WHEN n = 1 AND _two THEN NULL ELSE feedback_at END AS feedback_at,
           CASE WHEN n = 1 AND (coalesce(reopened, FALSE) OR customer_accepted = FALSE) THEN 'reopened'
                WHEN customer_accepted THEN 'accepted' END AS answer
    FROM (SELECT ticket_id, feedback_at, customer_accepted, reopened,
                 coalesce(reopened, FALSE) AND customer_accepted IS DISTINCT FROM FALSE AS _two
          FROM ({rows}) WHERE type = 'complaint' AND feedback_at IS NOT NULL)
    CROSS JOIN range(1, 3) AS rounds(n)
    WHERE n = 1 OR _two"""


def insert_implied(w, rows: str, recorded_by: str | None) -> None:
    """Store the rounds that the ticket rows of the relation `rows` imply (see `IMPLIED`)."""
    w.execute(
        "INSERT INTO complaint_rounds (ticket_id, round, feedback_at, answer, recorded_by) "
        f"SELECT ticket_id, round, feedback_at, answer, ? FROM ({IMPLIED.format(rows=rows)})",
        [recorded_by],
    )


def summarise(w, ids: str, params: Sequence[Any] = ()) -> None:
    """Set the summary columns of the tickets whose ids the query `ids` gives from their rounds:
    feedback_at and the answer of the last round, reopened if any round was."""
    w.execute(
        f"""
        UPDATE tickets SET feedback_at = r.feedback_at,
               customer_accepted = CASE r.answer WHEN 'accepted' THEN TRUE WHEN 'reopened' THEN FALSE END,
               reopened = s.reopened
        FROM complaint_rounds r,
             (SELECT ticket_id, max(round) AS last, coalesce(bool_or(answer = 'reopened'), FALSE) AS reopened
              FROM complaint_rounds WHERE ticket_id IN ({ids}) GROUP BY ticket_id) s
        WHERE r.ticket_id = s.ticket_id AND r.round = s.last AND tickets.ticket_id = s.ticket_id""",
        list(params),
    )
