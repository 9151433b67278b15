-- Every round of a complaint is kept: the result fed back to the customer (round n at time t) and
-- the customer's answer to it, accepted or reopened. The ticket's own columns (feedback_at,
-- customer_accepted, reopened) stay as the summary of its rounds: the latest feedback, the answer
-- to it, and whether any round was reopened (`csdata.rounds` keeps them in step).
--
-- feedback_at, answered_at and recorded_by are NULL only where they are not known: in rounds
-- reconstructed below, or imported, from a ticket's summary.

CREATE TABLE complaint_rounds (
    ticket_id    VARCHAR NOT NULL,
    round        INTEGER NOT NULL CHECK (round >= 1),
    feedback_at  TIMESTAMP,
    answer       VARCHAR CHECK (answer IN ('accepted', 'reopened')),  -- NULL: awaiting the answer
    answered_at  TIMESTAMP,
    recorded_by  VARCHAR,
    PRIMARY KEY (ticket_id, round)
);

-- Backfill from the summaries of complaints fed back before rounds were kept. A summary holds the
-- latest feedback and the answer to it, and whether the complaint was ever reopened; the earlier
-- feedback times and the number of reopens are lost. The fewest rounds that agree with it:
--   not reopened:                  round 1 at feedback_at with the current answer
--                                  (not accepted counts as reopened: it is the only refusal);
--   reopened, not accepted:        round 1 at feedback_at, reopened (the latest feedback was
--                                  refused; whether earlier ones were is not known);
--   reopened, accepted or awaiting: round 1 reopened at an unknown time, then round 2 at
--                                  feedback_at with the current answer.
-- This is the same reading an import gives a ticket row (`csdata.rounds.IMPLIED`); it is written
-- out here because a migration must not change when that code does.
INSERT INTO complaint_rounds (ticket_id, round, feedback_at, answer)
SELECT ticket_id, n, CASE WHEN n = 1 AND _two THEN NULL ELSE feedback_at END,
       CASE WHEN n = 1 AND (coalesce(reopened, FALSE) OR customer_accepted = FALSE) THEN 'reopened'
            WHEN customer_accepted THEN 'accepted' END
FROM (SELECT ticket_id, feedback_at, customer_accepted, reopened,
             coalesce(reopened, FALSE) AND customer_accepted IS DISTINCT FROM FALSE AS _two
      FROM tickets WHERE type = 'complaint' AND feedback_at IS NOT NULL)
CROSS JOIN range(1, 3) AS rounds(n)
WHERE n = 1 OR _two;

-- The summary of an inconsistent row (not accepted, yet not marked reopened) follows its rounds.
UPDATE tickets SET reopened = TRUE
WHERE type = 'complaint' AND feedback_at IS NOT NULL AND customer_accepted = FALSE
  AND NOT coalesce(reopened, FALSE);
