// PgConnection, PgParams and PgResult: a thin, error-as-value layer over one
// libpq connection, used by the PostgreSQL stores.
//
// Every statement is sent with PQexecPrepared on a statement prepared once
// per connection (cached by SQL text), with text-format parameters: values
// are never spliced into SQL. Results are read in text format.
//
// Errors are classified once, here:
//   - the connection is gone (socket closed, server restarting, SQLSTATE
//     class 08, 57P01..57P03): kUnavailable, and broken() becomes true; the
//     pool discards the connection;
//   - statement or lock timeout (57014, 55P03), serialization failure or
//     deadlock (40001, 40P01): kUnavailable; sqlstate() tells which;
//   - a text parameter holding a NUL character (which PostgreSQL cannot
//     store, and libpq would silently cut): kInvalidArgument, before
//     anything is sent;
//   - anything else: kInternal.
// The server's text goes to Error::debug only (it may name tables, never a
// bound value: parameters are not echoed by PostgreSQL errors we keep).
//
// A PgConnection is used by one thread at a time (libpq connections are not
// thread-safe); PgPool (pg_pool.h) hands them out.
#ifndef AUTHD_STORE_POSTGRES_PG_CONNECTION_H_
#define AUTHD_STORE_POSTGRES_PG_CONNECTION_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/ids.h"
#include "core/status.h"

typedef struct pg_conn PGconn;
typedef struct pg_result PGresult;

namespace authd::store::postgres {

// Positional parameters $1..$n, in text format; nullopt is SQL NULL.
class PgParams {
 public:
  PgParams& Text(std::string_view v) {
    values_.emplace_back(std::string(v));
    return *this;
  }
  PgParams& Int(std::int64_t v) {
    values_.emplace_back(std::to_string(v));
    return *this;
  }
  PgParams& Bool(bool v) {
    values_.emplace_back(v ? "t" : "f");
    return *this;
  }
  PgParams& Null() {
    values_.emplace_back(std::nullopt);
    return *this;
  }
  PgParams& OptionalText(const std::optional<std::string>& v) {
    values_.push_back(v);
    return *this;
  }
  PgParams& OptionalInt(const std::optional<std::int64_t>& v) { return v ? Int(*v) : Null(); }
  // The null tenant is SQL NULL.
  PgParams& Tenant(const core::TenantId& t) { return t ? Text(t->str()) : Null(); }

  const std::vector<std::optional<std::string>>& values() const { return values_; }

 private:
  std::vector<std::optional<std::string>> values_;
};

// The rows of one statement. Columns are addressed by position, in the
// order of the SELECT / RETURNING list.
class PgResult {
 public:
  explicit PgResult(PGresult* r) : r_(r) {}
  PgResult(PgResult&& o) noexcept : r_(o.r_) { o.r_ = nullptr; }
  PgResult& operator=(PgResult&&) = delete;
  PgResult(const PgResult&) = delete;
  ~PgResult();

  int rows() const;
  // Rows changed by an INSERT/UPDATE/DELETE (without RETURNING: the
  // command tag's count).
  std::int64_t affected() const;

  bool IsNull(int row, int col) const;
  std::string Text(int row, int col) const;  // "" for NULL
  std::int64_t Int(int row, int col) const;  // 0 for NULL
  bool Bool(int row, int col) const;         // false for NULL
  std::optional<std::string> OptionalText(int row, int col) const;
  std::optional<std::int64_t> OptionalInt(int row, int col) const;
  core::TenantId Tenant(int row, int col) const;  // NULL -> null tenant

 private:
  PGresult* r_;
};

class PgConnection {
 public:
  // Opens a connection. `conninfo_keywords`/`values` are libpq connection
  // keywords (see PgPool for the ones authd sets); the URL is passed as
  // `dbname` with expand_dbname, so it may hold any libpq parameter.
  // Errors: kUnavailable (server unreachable or refusing); the debug text
  // is libpq's message (it never contains the password).
  static core::Result<std::unique_ptr<PgConnection>> Open(
      const std::vector<std::pair<std::string, std::string>>& params);
  PgConnection(const PgConnection&) = delete;
  PgConnection& operator=(const PgConnection&) = delete;
  ~PgConnection();

  // Runs one statement (prepared and cached on first use).
  core::Result<PgResult> Exec(std::string_view sql, const PgParams& params = {});

  // Runs `sql` as a simple query (several statements allowed, no
  // parameters, not cached): transaction control, SET, migrations.
  core::Status ExecScript(const char* sql);

  // COMMIT, checked: PostgreSQL answers COMMIT of a transaction that an
  // earlier error aborted with success and the tag ROLLBACK; that is an
  // error here (kInternal), never a silent loss of the writes.
  core::Status Commit();

  // True when the connection is usable and outside any transaction (what
  // the pool requires of a connection handed back).
  bool idle() const;

  // For a connection that LISTENs (pg_cache_listener.h): the socket to wait
  // on, reading what arrived on it without blocking (kUnavailable once the
  // connection is lost), and the payloads of the notifications received so
  // far, by ConsumeInput or any earlier call, in order.
  int socket() const;
  core::Status ConsumeInput();
  std::vector<std::string> TakeNotifications();

  // True once a call found the connection unusable; it must be discarded.
  bool broken() const { return broken_; }

  // The SQLSTATE of the last failed call ("" when it had none).
  const std::string& last_sqlstate() const { return last_sqlstate_; }

 private:
  explicit PgConnection(PGconn* c) : conn_(c) {}
  core::Error Fail(PGresult* r, std::string_view what);

  PGconn* conn_;
  bool broken_ = false;
  std::string last_sqlstate_;
  std::unordered_map<std::string, std::string> prepared_;  // SQL -> name
};

// True iff libpq could be loaded (it is loaded on first use, not linked:
// pq_loader.cc); otherwise `error` says why.
bool PqAvailable(std::string* error);

// SQLSTATEs the stores branch on.
inline constexpr std::string_view kUniqueViolation = "23505";
inline constexpr std::string_view kSerializationFailure = "40001";
inline constexpr std::string_view kDeadlockDetected = "40P01";

}  // namespace authd::store::postgres

#endif  // AUTHD_STORE_POSTGRES_PG_CONNECTION_H_
