#include "store/sqlite/sqlite_transaction.h"

#include <utility>

namespace authd::store::sqlite {

core::Result<Transaction> Transaction::BeginImmediate(Connection& conn) {
  if (core::Status s = conn.Exec("BEGIN IMMEDIATE"); !s.ok()) return s;
  return Transaction(&conn);
}

Transaction::Transaction(Transaction&& other) noexcept
    : conn_(std::exchange(other.conn_, nullptr)) {}

Transaction::~Transaction() {
  if (conn_ == nullptr) return;
  // SQLite may already have rolled back on some errors (e.g. SQLITE_FULL).
  if (sqlite3_get_autocommit(conn_->handle()) == 0) {
    (void)conn_->Exec("ROLLBACK");
  }
}

core::Status Transaction::Commit() {
  core::Status s = conn_->Exec("COMMIT");
  if (s.ok()) conn_ = nullptr;
  return s;
}

}  // namespace authd::store::sqlite
