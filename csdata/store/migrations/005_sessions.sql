-- A signed-in browser's session, kept on the server so that a reload, a new tab or a link keeps
-- it: the browser holds a random token in a cookie, the warehouse only its SHA-256 (a copy of the
-- file cannot be turned into a cookie). A session ends on sign-out, when its account is closed or
-- its password or role changes (ended_at, ended_why), after the idle time, or at expires_at.
CREATE TABLE sessions (
    token_hash    VARCHAR PRIMARY KEY,
    username      VARCHAR NOT NULL,
    created_at    TIMESTAMP NOT NULL,
    last_seen_at  TIMESTAMP NOT NULL,
    expires_at    TIMESTAMP NOT NULL,
    ended_at      TIMESTAMP,
    ended_why     VARCHAR
);
