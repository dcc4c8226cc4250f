#include "store/postgres/pg_connection.h"

#include <libpq-fe.h>

#include <cstdlib>
#include <utility>

#include "core/errors.h"

namespace authd::store::postgres {
namespace {

// SQLSTATEs after which the connection cannot be used again: connection
// exceptions (class 08) and the server going away (admin shutdown, crash
// shutdown, cannot connect now).
bool IsConnectionLoss(std::string_view state) {
  return state.starts_with("08") || state == "57P01" || state == "57P02" || state == "57P03";
}

// Transient: worth an answer of 503 (and, for the pool, a retry when the
// transaction can be replayed).
bool IsTransient(std::string_view state) {
  return IsConnectionLoss(state) || state == "57014" /* query_canceled */ ||
         state == "55P03" /* lock_not_available */ || state == kSerializationFailure ||
         state == kDeadlockDetected || state == "53300" /* too_many_connections */;
}

}  // namespace

PgResult::~PgResult() {
  if (r_) PQclear(r_);
}

int PgResult::rows() const { return PQntuples(r_); }

std::int64_t PgResult::affected() const {
  const char* n = PQcmdTuples(r_);
  return (n && *n) ? std::strtoll(n, nullptr, 10) : 0;
}

bool PgResult::IsNull(int row, int col) const { return PQgetisnull(r_, row, col) == 1; }

std::string PgResult::Text(int row, int col) const {
  if (IsNull(row, col)) return std::string();
  return std::string(PQgetvalue(r_, row, col), static_cast<size_t>(PQgetlength(r_, row, col)));
}

std::int64_t PgResult::Int(int row, int col) const {
  if (IsNull(row, col)) return 0;
  return std::strtoll(PQgetvalue(r_, row, col), nullptr, 10);
}

bool PgResult::Bool(int row, int col) const {
  if (IsNull(row, col)) return false;
  return PQgetvalue(r_, row, col)[0] == 't';
}

std::optional<std::string> PgResult::OptionalText(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Text(row, col);
}

std::optional<std::int64_t> PgResult::OptionalInt(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return Int(row, col);
}

core::TenantId PgResult::Tenant(int row, int col) const {
  if (IsNull(row, col)) return std::nullopt;
  return core::TenantIdValue(Text(row, col));
}

core::Result<std::unique_ptr<PgConnection>> PgConnection::Open(
    const std::vector<std::pair<std::string, std::string>>& params) {
  std::vector<const char*> keys, values;
  for (const auto& [k, v] : params) {
    keys.push_back(k.c_str());
    values.push_back(v.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  PGconn* c = PQconnectdbParams(keys.data(), values.data(), /*expand_dbname=*/1);
  if (c == nullptr) {
    std::string why = "out of memory";
    if (!PqAvailable(&why)) return core::Internal("postgres: " + why);
    return core::Unavailable("postgres: " + why + " opening a connection");
  }
  if (PQstatus(c) != CONNECTION_OK) {
    std::string why = PQerrorMessage(c);
    PQfinish(c);
    while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
    return core::Unavailable("postgres: cannot connect: " + why);
  }
  return std::unique_ptr<PgConnection>(new PgConnection(c));
}

PgConnection::~PgConnection() { PQfinish(conn_); }

core::Error PgConnection::Fail(PGresult* r, std::string_view what) {
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  last_sqlstate_ = state ? state : "";
  std::string message = r ? PQresultErrorMessage(r) : "";
  if (message.empty()) message = PQerrorMessage(conn_);
  while (!message.empty() && (message.back() == '\n' || message.back() == ' ')) {
    message.pop_back();
  }
  if (r) PQclear(r);
  // No SQLSTATE and a bad socket: the server went away mid-call.
  if (PQstatus(conn_) != CONNECTION_OK || IsConnectionLoss(last_sqlstate_)) {
    broken_ = true;
    if (last_sqlstate_.empty()) last_sqlstate_ = "08006";
  }
  std::string debug = "postgres: " + std::string(what) + ": [" + last_sqlstate_ + "] " + message;
  if (broken_ || IsTransient(last_sqlstate_)) return core::Unavailable(std::move(debug));
  return core::Internal(std::move(debug));
}

core::Result<PgResult> PgConnection::Exec(std::string_view sql, const PgParams& params) {
  last_sqlstate_.clear();
  if (broken_) return core::Unavailable("postgres: connection lost");
  auto it = prepared_.find(std::string(sql));
  if (it == prepared_.end()) {
    std::string name = "authd_" + std::to_string(prepared_.size() + 1);
    PGresult* r = PQprepare(conn_, name.c_str(), std::string(sql).c_str(), 0, nullptr);
    if (r == nullptr || PQresultStatus(r) != PGRES_COMMAND_OK) {
      return Fail(r, "prepare");
    }
    PQclear(r);
    it = prepared_.emplace(std::string(sql), std::move(name)).first;
  }
  const auto& v = params.values();
  std::vector<const char*> ptrs;
  ptrs.reserve(v.size());
  for (const auto& p : v) {
    // PostgreSQL text cannot hold NUL, and libpq would cut the value at
    // the first one: refuse it rather than store a truncated value.
    if (p && p->find('\0') != std::string::npos) {
      return core::MakeError(core::Err::kTextHasNul);
    }
    ptrs.push_back(p ? p->c_str() : nullptr);
  }
  PGresult* r = PQexecPrepared(conn_, it->second.c_str(), static_cast<int>(ptrs.size()),
                               ptrs.data(), nullptr, nullptr, /*resultFormat=*/0);
  if (r == nullptr) return Fail(nullptr, "exec");
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Fail(r, "exec");
  return PgResult(r);
}

core::Status PgConnection::ExecScript(const char* sql) {
  last_sqlstate_.clear();
  if (broken_) return core::Unavailable("postgres: connection lost");
  PGresult* r = PQexec(conn_, sql);
  if (r == nullptr) return Fail(nullptr, "query");
  ExecStatusType st = PQresultStatus(r);
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return Fail(r, "query");
  PQclear(r);
  return core::Status::Ok();
}

core::Status PgConnection::Commit() {
  last_sqlstate_.clear();
  if (broken_) return core::Unavailable("postgres: connection lost");
  PGresult* r = PQexec(conn_, "COMMIT");
  if (r == nullptr || PQresultStatus(r) != PGRES_COMMAND_OK) return Fail(r, "commit");
  const std::string tag = PQcmdStatus(r);
  PQclear(r);
  if (tag != "COMMIT") return core::Internal("postgres: commit: transaction was rolled back");
  return core::Status::Ok();
}

int PgConnection::socket() const { return PQsocket(conn_); }

core::Status PgConnection::ConsumeInput() {
  if (broken_) return core::Unavailable("postgres: connection lost");
  if (PQconsumeInput(conn_) == 0 || PQstatus(conn_) != CONNECTION_OK) {
    return Fail(nullptr, "read");
  }
  return core::Status::Ok();
}

std::vector<std::string> PgConnection::TakeNotifications() {
  std::vector<std::string> out;
  while (PGnotify* n = PQnotifies(conn_)) {
    out.emplace_back(n->extra ? n->extra : "");
    PQfreemem(n);
  }
  return out;
}

bool PgConnection::idle() const {
  return !broken_ && PQstatus(conn_) == CONNECTION_OK && PQtransactionStatus(conn_) == PQTRANS_IDLE;
}

}  // namespace authd::store::postgres
