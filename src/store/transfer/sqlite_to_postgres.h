// CopySqliteToPostgres: moves an embedded deployment to PostgreSQL
// (`authd migrate-data`).
//
// The SQLite file is first brought to the newest schema (as authd's startup
// would), the PostgreSQL database too; then every row of every table is
// copied, column by column (both schemas have the same tables and
// columns), in one PostgreSQL transaction read from one SQLite read
// transaction: either everything arrives or nothing does. Users, password
// hashes, identities, sessions (refresh-token hashes), one-time codes,
// pending outbox messages and MFA devices keep working, provided the
// PostgreSQL deployment uses the same session.jwt_secret and
// mfa.encryption_key (hashes and sealed secrets are keyed by them).
// Rate-limit windows are not copied (they live in memory with SQLite).
//
// The target must hold no users (a second run cannot duplicate data).
// The SQLite file is only read (after its migration); authd must not be
// running on it meanwhile.
#ifndef AUTHD_STORE_TRANSFER_SQLITE_TO_POSTGRES_H_
#define AUTHD_STORE_TRANSFER_SQLITE_TO_POSTGRES_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "store/postgres/postgres_database.h"

namespace authd::store {

struct TransferReport {
  // (table, rows copied), in copy order.
  std::vector<std::pair<std::string, std::int64_t>> tables;
};

// Errors: kNotFound when `sqlite_path` does not exist; kConflict
// (code TARGET_NOT_EMPTY) when the target already has users; the open and
// migration errors of either database; kInternal on a row the target
// refuses (nothing is written then).
core::Result<TransferReport> CopySqliteToPostgres(const std::string& sqlite_path,
                                                  const PostgresOptions& target);

}  // namespace authd::store

#endif  // AUTHD_STORE_TRANSFER_SQLITE_TO_POSTGRES_H_
