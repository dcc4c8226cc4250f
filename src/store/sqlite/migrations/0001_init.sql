-- 0001_init: tenants, users, identities, user accesses and sessions.
--
-- Conventions for every SQLite migration of authd:
--   * ids are UUID strings (TEXT); timestamps are INTEGER Unix milliseconds;
--     booleans are INTEGER 0/1; JSON documents are TEXT holding valid JSON.
--   * STRICT tables, so a wrongly typed bind fails instead of being coerced.
--   * tenant_id NULL is the "null tenant" (tenancy disabled, or a user's
--     no-tenant membership); queries compare it with `tenant_id IS ?`.
--   * Immutable once merged: schema changes go into a new NNNN_name.sql.

CREATE TABLE tenants (
  id          TEXT PRIMARY KEY NOT NULL,
  name        TEXT NOT NULL,
  slug        TEXT UNIQUE,
  description TEXT,
  metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  is_active   INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;

-- No uniqueness on email/phone: the rule depends on the tenancy mode and is
-- enforced by UserStore::CreateUser inside its write transaction.
CREATE TABLE users (
  id                   TEXT PRIMARY KEY NOT NULL,
  email                TEXT,
  email_verified_at    INTEGER,
  phone                TEXT,
  phone_verified_at    INTEGER,
  password_hash        TEXT,
  is_active            INTEGER NOT NULL DEFAULT 1 CHECK (is_active IN (0, 1)),
  must_change_password INTEGER NOT NULL DEFAULT 0
                       CHECK (must_change_password IN (0, 1)),
  metadata             TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  is_mfa_enabled       INTEGER NOT NULL DEFAULT 0 CHECK (is_mfa_enabled IN (0, 1)),
  mfa_recovery_code    TEXT,
  created_at           INTEGER NOT NULL,
  updated_at           INTEGER NOT NULL
) STRICT;
CREATE INDEX users_email_idx ON users (email) WHERE email IS NOT NULL;
CREATE INDEX users_phone_idx ON users (phone) WHERE phone IS NOT NULL;

CREATE TABLE identities (
  id          TEXT PRIMARY KEY NOT NULL,
  user_id     TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id   TEXT REFERENCES tenants (id) ON DELETE CASCADE,
  provider    TEXT NOT NULL,
  provider_id TEXT NOT NULL,
  metadata    TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  created_at  INTEGER NOT NULL,
  updated_at  INTEGER NOT NULL
) STRICT;
-- One (provider, provider_id) per tenant, the null tenant included: a plain
-- UNIQUE would treat every NULL tenant_id as distinct.
CREATE UNIQUE INDEX identities_provider_tenant_uq
  ON identities (provider, provider_id, COALESCE(tenant_id, ''));
CREATE INDEX identities_user_idx ON identities (user_id);
CREATE INDEX identities_tenant_idx ON identities (tenant_id);

-- Membership of a user in a tenant, or in the null tenant.
CREATE TABLE user_accesses (
  -- A UUID v4 made by SQLite (seeded from the OS); the id is not a secret.
  id         TEXT PRIMARY KEY NOT NULL DEFAULT (lower(
               hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' ||
               substr(hex(randomblob(2)), 2) || '-' ||
               substr('89ab', 1 + (abs(random()) % 4), 1) ||
               substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))),
  user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id  TEXT REFERENCES tenants (id) ON DELETE CASCADE,
  is_default INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
  status     TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'inactive')),
  metadata   TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX user_accesses_user_tenant_uq
  ON user_accesses (user_id, tenant_id) WHERE tenant_id IS NOT NULL;
CREATE UNIQUE INDEX user_accesses_user_null_tenant_uq
  ON user_accesses (user_id) WHERE tenant_id IS NULL;
CREATE INDEX user_accesses_tenant_idx ON user_accesses (tenant_id, user_id);

-- refresh_hash / prev_refresh_hash: HMAC-SHA256 hex of refresh tokens, never
-- the tokens. data: the reference's session document (see
-- store/sqlite/session_data_json.h). tenant_id has no foreign key: platform
-- sessions and tenant deletion are handled by the session domain.
CREATE TABLE sessions (
  id                TEXT PRIMARY KEY NOT NULL,
  user_id           TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  tenant_id         TEXT,
  refresh_hash      TEXT NOT NULL DEFAULT '',
  prev_refresh_hash TEXT NOT NULL DEFAULT '',
  rotated_at        INTEGER NOT NULL DEFAULT 0,
  data              TEXT NOT NULL CHECK (json_valid(data)),
  expires_at        INTEGER NOT NULL,
  user_agent        TEXT NOT NULL DEFAULT '',
  device_name       TEXT NOT NULL DEFAULT '',
  ip_address        TEXT NOT NULL DEFAULT '',
  last_active       INTEGER NOT NULL,
  created_at        INTEGER NOT NULL,
  updated_at        INTEGER NOT NULL
) STRICT;
CREATE INDEX sessions_user_last_active_idx ON sessions (user_id, last_active);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);
