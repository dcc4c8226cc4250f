-- 0001_init: the whole schema of authd on PostgreSQL, equal in tables and
-- columns to SQLite migrations 0001..0003 (so `authd migrate-data` copies
-- column by column), plus the shared rate-limit counters.
--
-- Conventions for every PostgreSQL migration of authd:
--   * ids are UUID strings (TEXT, as in SQLite: ids are opaque to authd);
--     timestamps are BIGINT Unix milliseconds; booleans are BOOLEAN; JSON
--     documents are JSON, not JSONB: the stores promise a document back as
--     it was written (key order, e.g. User::metadata_json), and JSONB
--     reorders keys and respaces its text output.
--   * tenant_id NULL is the "null tenant"; queries compare it with
--     `tenant_id IS NOT DISTINCT FROM $n` where the row is found by a key
--     first, or through COALESCE(tenant_id, '') where an index must match.
--   * Unqualified names: the schema is the connection's search_path, so one
--     database can hold several authd deployments (one schema each).
--   * Applied in one transaction under an advisory lock
--     (store/postgres/pg_migrations.cc). Immutable once merged: schema
--     changes go into a new NNNN_name.sql.

CREATE TABLE tenants (
  id          TEXT PRIMARY KEY,
  name        TEXT NOT NULL,
  slug        TEXT UNIQUE,
  description TEXT,
  metadata    JSON NOT NULL DEFAULT '{}',
  is_active   BOOLEAN NOT NULL DEFAULT TRUE,
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);

-- No uniqueness on email/phone: the rule depends on the tenancy mode and is
-- enforced by UserStore::CreateUser under a transaction-scoped advisory
-- lock on the address.
CREATE TABLE users (
  id                   TEXT PRIMARY KEY,
  email                TEXT,
  email_verified_at    BIGINT,
  phone                TEXT,
  phone_verified_at    BIGINT,
  password_hash        TEXT,
  is_active            BOOLEAN NOT NULL DEFAULT TRUE,
  must_change_password BOOLEAN NOT NULL DEFAULT FALSE,
  metadata             JSON NOT NULL DEFAULT '{}',
  is_mfa_enabled       BOOLEAN NOT NULL DEFAULT FALSE,
  mfa_recovery_code    TEXT,
  created_at           BIGINT NOT NULL,
  updated_at           BIGINT NOT NULL
);
CREATE INDEX users_email_idx ON users (email) WHERE email IS NOT NULL;
CREATE INDEX users_phone_idx ON users (phone) WHERE phone IS NOT NULL;

CREATE TABLE identities (
  id          TEXT PRIMARY KEY,
  user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id   TEXT REFERENCES tenants (id) ON DELETE CASCADE,
  provider    TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  metadata    JSON NOT NULL DEFAULT '{}',
  created_at  BIGINT NOT NULL,
  updated_at  BIGINT NOT NULL
);
-- One (provider, provider_id) per tenant, the null tenant included.
CREATE UNIQUE INDEX identities_provider_tenant_uq
  ON identities (provider, provider_id, COALESCE(tenant_id, ''));
CREATE INDEX identities_user_idx ON identities (user_id);
CREATE INDEX identities_tenant_idx ON identities (tenant_id);

CREATE TABLE user_accesses (
  id         TEXT PRIMARY KEY DEFAULT gen_random_uuid()::text,
  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id  TEXT REFERENCES tenants (id) ON DELETE CASCADE,
  is_default BOOLEAN NOT NULL DEFAULT FALSE,
  status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  metadata   JSON NOT NULL DEFAULT '{}',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX user_accesses_user_tenant_uq
  ON user_accesses (user_id, COALESCE(tenant_id, ''));
CREATE INDEX user_accesses_tenant_idx ON user_accesses (tenant_id, user_id);

-- refresh_hash / prev_refresh_hash: HMAC-SHA256 hex of refresh tokens.
-- Rotation is one compare-and-swap UPDATE on refresh_hash: PostgreSQL's row
-- lock makes racing rotations, from any number of authd processes, see the
-- row one after the other, and only the first matches.
CREATE TABLE sessions (
  id                TEXT PRIMARY KEY,
  user_id           TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id         TEXT,
  refresh_hash      TEXT NOT NULL DEFAULT '',
  prev_refresh_hash TEXT NOT NULL DEFAULT '',
  rotated_at        BIGINT NOT NULL DEFAULT 0,
  data              JSON NOT NULL,
  expires_at        BIGINT NOT NULL,
  user_agent        TEXT NOT NULL DEFAULT '',
  device_name       TEXT NOT NULL DEFAULT '',
  ip_address        TEXT NOT NULL DEFAULT '',
  last_active       BIGINT NOT NULL,
  created_at        BIGINT NOT NULL,
  updated_at        BIGINT NOT NULL
);
CREATE INDEX sessions_user_last_active_idx ON sessions (user_id, last_active);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE otps (
  id         TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id  TEXT,
  purpose    TEXT NOT NULL CHECK (purpose IN ('password_reset',
               'email_verification', 'phone_verification', 'mfa',
               'passwordless_login')),
  code_hash  TEXT NOT NULL,
  attempts   INTEGER NOT NULL DEFAULT 0,
  expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX otps_user_purpose_idx ON otps (user_id, purpose);

CREATE TABLE outbox (
  id              TEXT PRIMARY KEY,
  tenant_id       TEXT,
  channel         TEXT NOT NULL CHECK (channel IN ('email', 'sms', 'webhook')),
  recipient       TEXT NOT NULL,
  kind            TEXT NOT NULL,
  subject         TEXT NOT NULL DEFAULT '',
  body            TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending'
                  CHECK (state IN ('pending', 'sent', 'dead')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  claimed_until   BIGINT NOT NULL DEFAULT 0,
  last_error      TEXT NOT NULL DEFAULT '',
  created_at      BIGINT NOT NULL,
  sent_at         BIGINT
);
CREATE INDEX outbox_due_idx ON outbox (next_attempt_at) WHERE state = 'pending';

CREATE TABLE mfa_devices (
  id            TEXT PRIMARY KEY,
  user_id       TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id     TEXT,
  name          TEXT NOT NULL,
  secret_sealed TEXT NOT NULL,
  secret_lookup TEXT NOT NULL,
  verified      BOOLEAN NOT NULL DEFAULT FALSE,
  last_step     BIGINT NOT NULL DEFAULT -1,
  last_used_at  BIGINT,
  created_at    BIGINT NOT NULL,
  updated_at    BIGINT NOT NULL
);
CREATE INDEX mfa_devices_user_lookup_idx ON mfa_devices (user_id, secret_lookup);

CREATE TABLE mfa_recovery_codes (
  id         TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id  TEXT,
  code_hash  TEXT NOT NULL,
  used_at    BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX mfa_recovery_codes_user_hash_idx ON mfa_recovery_codes (user_id, code_hash);

CREATE TABLE mfa_trusted_devices (
  id           TEXT PRIMARY KEY,
  user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id    TEXT,
  token_hash   TEXT NOT NULL,
  user_agent   TEXT NOT NULL DEFAULT '',
  ip_address   TEXT NOT NULL DEFAULT '',
  expires_at   BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked      BOOLEAN NOT NULL DEFAULT FALSE,
  created_at   BIGINT NOT NULL
);
CREATE INDEX mfa_trusted_devices_user_token_idx
  ON mfa_trusted_devices (user_id, token_hash);

-- Rate-limit and lockout windows shared by every authd process
-- (throttle::CounterStore). UNLOGGED: no WAL, so a hit costs little; a
-- crash of the database server (not of authd) empties the table, which
-- only resets the windows, and it is not copied to replicas.
CREATE UNLOGGED TABLE rate_counters (
  key        TEXT PRIMARY KEY,
  count      BIGINT NOT NULL,
  window_end BIGINT NOT NULL
);
CREATE INDEX rate_counters_window_end_idx ON rate_counters (window_end);
