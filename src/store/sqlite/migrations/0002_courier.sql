-- 0002_courier: one-time codes and the durable outbox.
--
-- Conventions: see 0001_init.sql.

-- code_hash: HMAC-SHA256 hex of the code, never the code. tenant_id has no
-- foreign key, as in sessions. OtpStore::Issue keeps at most one code per
-- (tenant, user, purpose); the index serves every query, which all filter
-- on user and purpose.
CREATE TABLE otps (
  id         TEXT PRIMARY KEY NOT NULL,
  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id  TEXT,
  purpose    TEXT NOT NULL CHECK (purpose IN ('password_reset',
               'email_verification', 'phone_verification', 'mfa',
               'passwordless_login')),
  code_hash  TEXT NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  expires_at INTEGER NOT NULL,
  created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX otps_user_purpose_idx ON otps (user_id, purpose);

-- Messages are fully rendered when enqueued. body may hold a one-time code:
-- it is scrubbed to '' once the message is sent or dead. claimed_until: the
-- end of the current sender's lease, 0 when unclaimed. sent_at: when
-- MarkSent acknowledged delivery, NULL otherwise.
CREATE TABLE outbox (
  id              TEXT PRIMARY KEY NOT NULL,
  tenant_id       TEXT,
  channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
  recipient       TEXT NOT NULL,
  kind            TEXT NOT NULL,
  subject         TEXT NOT NULL DEFAULT '',
  body            TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'sent', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  claimed_until   INTEGER NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  created_at      INTEGER NOT NULL,
  sent_at         INTEGER
) STRICT;
-- The sender's queue: ClaimDue and NextDue read only pending rows.
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE state = 'pending';
