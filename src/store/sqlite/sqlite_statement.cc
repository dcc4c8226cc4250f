#include "store/sqlite/sqlite_statement.h"

#include <string>
#include <utility>

namespace authd::store::sqlite {

core::Error SqliteError(sqlite3* db, int rc, std::string_view context) {
  std::string debug = "sqlite: ";
  debug.append(context);
  debug.append(": ");
  debug.append(sqlite3_errstr(rc));
  if (db != nullptr && sqlite3_extended_errcode(db) == rc) {
    debug.append(" (");
    debug.append(sqlite3_errmsg(db));
    debug.append(")");
  }
  debug.append(" [rc=" + std::to_string(rc) + "]");
  const int primary = rc & 0xff;
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) {
    return core::Unavailable(std::move(debug));
  }
  return core::Internal(std::move(debug));
}

Statement::Statement(sqlite3* db, sqlite3_stmt* stmt, bool owned)
    : db_(db), stmt_(stmt), owned_(owned) {}

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_),
      stmt_(std::exchange(other.stmt_, nullptr)),
      owned_(other.owned_),
      last_rc_(other.last_rc_),
      bind_rc_(other.bind_rc_) {}

Statement::~Statement() {
  if (stmt_ == nullptr) return;
  if (owned_) {
    sqlite3_finalize(stmt_);
  } else {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Statement::NoteBind(int rc) {
  if (rc != SQLITE_OK && bind_rc_ == SQLITE_OK) bind_rc_ = rc;
}

Statement& Statement::BindInt(int index, std::int64_t value) {
  NoteBind(sqlite3_bind_int64(stmt_, index, value));
  return *this;
}

Statement& Statement::BindBool(int index, bool value) { return BindInt(index, value ? 1 : 0); }

Statement& Statement::BindText(int index, std::string_view value) {
  // SQLITE_TRANSIENT: SQLite copies, so callers may pass temporaries.
  NoteBind(
      sqlite3_bind_text64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
  return *this;
}

Statement& Statement::BindOptText(int index, const std::optional<std::string>& value) {
  if (!value) {
    NoteBind(sqlite3_bind_null(stmt_, index));
    return *this;
  }
  return BindText(index, *value);
}

Statement& Statement::BindOptInt(int index, const std::optional<std::int64_t>& value) {
  if (!value) {
    NoteBind(sqlite3_bind_null(stmt_, index));
    return *this;
  }
  return BindInt(index, *value);
}

Statement& Statement::BindTenant(int index, const core::TenantId& tenant) {
  if (!tenant) {
    NoteBind(sqlite3_bind_null(stmt_, index));
    return *this;
  }
  return BindText(index, tenant->str());
}

core::Result<bool> Statement::Step() {
  if (bind_rc_ != SQLITE_OK) {
    last_rc_ = bind_rc_;
    return SqliteError(db_, bind_rc_, "bind");
  }
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  last_rc_ = sqlite3_extended_errcode(db_);
  return SqliteError(db_, last_rc_, sqlite3_sql(stmt_));
}

core::Status Statement::Run() {
  while (true) {
    core::Result<bool> row = Step();
    if (!row.ok()) return row.status();
    if (!*row) return core::Status::Ok();
  }
}

std::int64_t Statement::Int(int col) const { return sqlite3_column_int64(stmt_, col); }

bool Statement::Bool(int col) const { return Int(col) != 0; }

std::string Statement::Text(int col) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, col));
  if (p == nullptr) return std::string();
  return std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(stmt_, col)));
}

std::optional<std::string> Statement::OptText(int col) const {
  if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
  return Text(col);
}

std::optional<std::int64_t> Statement::OptInt(int col) const {
  if (sqlite3_column_type(stmt_, col) == SQLITE_NULL) return std::nullopt;
  return Int(col);
}

core::TenantId Statement::Tenant(int col) const {
  std::optional<std::string> t = OptText(col);
  if (!t) return std::nullopt;
  return core::TenantIdValue(std::move(*t));
}

int Statement::changes() const { return sqlite3_changes(db_); }

}  // namespace authd::store::sqlite
