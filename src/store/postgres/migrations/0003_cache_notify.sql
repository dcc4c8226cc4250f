-- 0003_cache_notify: every committed change to a row that the read caches
-- of storage.postgres_read_cache_entries may hold is announced on channel
-- authd_cache (store/postgres/pg_cache_listener.h), whoever makes it:
-- another authd process, an older authd, or an operator in psql.
--
--   's:<session id>'  a session updated (refresh rotation) or deleted
--                     (logout, eviction, expiry, its user deleted);
--   'u:<user id>'     a user updated or deleted, or one of its tenant
--                     memberships (user_accesses) changed or removed;
--   '*'               sessions, users or user_accesses truncated.
--
-- Inserts need no notice: the caches hold only rows that were found.
-- PostgreSQL sends a notification when the transaction commits (never for
-- one rolled back) and folds identical ones of one transaction into one.
--
-- Conventions: see 0001_init.sql.

CREATE FUNCTION authd_notify_session() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('authd_cache', 's:' || OLD.id);
  RETURN NULL;
END $$;

CREATE FUNCTION authd_notify_user() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('authd_cache', 'u:' || OLD.id);
  RETURN NULL;
END $$;

CREATE FUNCTION authd_notify_user_access() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('authd_cache', 'u:' || OLD.user_id);
  RETURN NULL;
END $$;

CREATE FUNCTION authd_notify_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('authd_cache', '*');
  RETURN NULL;
END $$;

CREATE TRIGGER sessions_notify_cache AFTER UPDATE OR DELETE ON sessions
  FOR EACH ROW EXECUTE FUNCTION authd_notify_session();
CREATE TRIGGER users_notify_cache AFTER UPDATE OR DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION authd_notify_user();
CREATE TRIGGER user_accesses_notify_cache AFTER UPDATE OR DELETE ON user_accesses
  FOR EACH ROW EXECUTE FUNCTION authd_notify_user_access();

CREATE TRIGGER sessions_truncate_notify_cache AFTER TRUNCATE ON sessions
  FOR EACH STATEMENT EXECUTE FUNCTION authd_notify_all();
CREATE TRIGGER users_truncate_notify_cache AFTER TRUNCATE ON users
  FOR EACH STATEMENT EXECUTE FUNCTION authd_notify_all();
CREATE TRIGGER user_accesses_truncate_notify_cache AFTER TRUNCATE ON user_accesses
  FOR EACH STATEMENT EXECUTE FUNCTION authd_notify_all();
