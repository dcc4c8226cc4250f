// Transaction: RAII BEGIN IMMEDIATE ... COMMIT on one Connection.
//
// Every write of the SQLite stores runs in an immediate transaction: the
// write lock is taken at BEGIN (waiting up to the busy timeout), so a
// read-then-write sequence can never deadlock on a lock upgrade, and the
// reads inside see a state no other writer can change before COMMIT.
// Destroying an uncommitted Transaction rolls it back.
// Thread-safety: none; belongs to the thread holding the Connection.
#ifndef AUTHD_STORE_SQLITE_SQLITE_TRANSACTION_H_
#define AUTHD_STORE_SQLITE_SQLITE_TRANSACTION_H_

#include "core/status.h"
#include "store/sqlite/sqlite_connection.h"

namespace authd::store::sqlite {

class Transaction {
 public:
  // kUnavailable if another writer kept the lock past the busy timeout.
  static core::Result<Transaction> BeginImmediate(Connection& conn);

  Transaction(Transaction&& other) noexcept;
  Transaction& operator=(Transaction&&) = delete;
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();

  // Makes the writes durable. After a failure the transaction is rolled
  // back by the destructor.
  core::Status Commit();

 private:
  explicit Transaction(Connection* conn) : conn_(conn) {}

  Connection* conn_;  // null once committed or moved from
};

}  // namespace authd::store::sqlite

#endif  // AUTHD_STORE_SQLITE_SQLITE_TRANSACTION_H_
