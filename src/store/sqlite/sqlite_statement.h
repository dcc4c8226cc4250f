// Statement: RAII handle over one prepared sqlite3_stmt, and the mapping of
// SQLite result codes to core::Error.
//
// A Statement usually borrows a statement cached by its Connection (see
// sqlite_connection.h) and resets it on destruction, so the cached statement
// can be reused by the next caller; it owns (and finalizes) only the rare
// uncached statement prepared while the cached one was still in use.
// Binding failures are remembered and reported by the next Step()/Run(), so
// call sites can chain binds without checking each one.
// Thread-safety: none; a Statement belongs to the thread that leased its
// Connection.
#ifndef AUTHD_STORE_SQLITE_SQLITE_STATEMENT_H_
#define AUTHD_STORE_SQLITE_SQLITE_STATEMENT_H_

#include <sqlite3.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/ids.h"
#include "core/status.h"

namespace authd::store::sqlite {

// The error for a failed sqlite3 call with result code `rc` on `db`:
// kUnavailable for SQLITE_BUSY / SQLITE_LOCKED (the busy timeout elapsed:
// another writer holds the database), kInternal otherwise. The SQLite
// message and `context` go into Error::debug only, never to a client.
core::Error SqliteError(sqlite3* db, int rc, std::string_view context);

class Statement {
 public:
  // Borrows `stmt` (owned = false) or takes ownership of it (owned = true).
  // REQUIRES: stmt was prepared on db.
  Statement(sqlite3* db, sqlite3_stmt* stmt, bool owned);
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  // Parameter indexes are 1-based, as in sqlite3_bind_*.
  Statement& BindInt(int index, std::int64_t value);
  Statement& BindBool(int index, bool value);
  Statement& BindText(int index, std::string_view value);
  Statement& BindOptText(int index, const std::optional<std::string>& value);
  Statement& BindOptInt(int index, const std::optional<std::int64_t>& value);
  // NULL for the null tenant, else the tenant id; pairs with `tenant_id IS ?`.
  Statement& BindTenant(int index, const core::TenantId& tenant);

  // Advances: true when a row is available, false when done.
  core::Result<bool> Step();
  // Steps to completion, ignoring any rows.
  core::Status Run();

  // Column accessors for the current row; indexes are 0-based.
  std::int64_t Int(int col) const;
  bool Bool(int col) const;
  std::string Text(int col) const;
  std::optional<std::string> OptText(int col) const;
  std::optional<std::int64_t> OptInt(int col) const;
  core::TenantId Tenant(int col) const;

  // Rows changed by the last completed INSERT/UPDATE/DELETE on this
  // connection.
  int changes() const;
  // The extended result code of the last failure of this statement (or of a
  // bind), SQLITE_OK if none, e.g. to tell a UNIQUE violation apart.
  int last_error_code() const { return last_rc_; }

 private:
  void NoteBind(int rc);

  sqlite3* db_;
  sqlite3_stmt* stmt_;
  bool owned_;
  int last_rc_ = SQLITE_OK;
  int bind_rc_ = SQLITE_OK;
};

}  // namespace authd::store::sqlite

#endif  // AUTHD_STORE_SQLITE_SQLITE_STATEMENT_H_
