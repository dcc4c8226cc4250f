#include <string>
#include <utility>
#include <vector>

#include "store/sqlite/sqlite_stores.h"
#include "store/sqlite/sqlite_writer.h"

namespace authd::store::sqlite {
namespace {

using courier::OutboxMessage;

// Both message queries select these columns, in the order ReadMessage reads.
constexpr const char* kGet =
    "SELECT id, tenant_id, channel, recipient, kind, subject, body, state,"
    " attempts, next_attempt_at, created_at, last_error"
    " FROM outbox WHERE id = ?1";

// Served by the partial index outbox_due_idx.
constexpr const char* kDue =
    "SELECT id, tenant_id, channel, recipient, kind, subject, body, state,"
    " attempts, next_attempt_at, created_at, last_error"
    " FROM outbox WHERE state = 'pending' AND next_attempt_at <= ?1"
    " AND claimed_until <= ?1"
    " ORDER BY next_attempt_at ASC, created_at ASC, id ASC LIMIT ?2";

constexpr const char* kInsert =
    "INSERT INTO outbox (id, tenant_id, channel, recipient, kind, subject,"
    " body, state, attempts, next_attempt_at, claimed_until, last_error,"
    " created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 'pending', ?8, ?9, 0, ?10, ?11)";

constexpr const char* kClaim = "UPDATE outbox SET claimed_until = ?1 WHERE id = ?2";

// The marks change only pending messages: a sender whose lease ran out
// while another one delivered the message cannot send it back to the queue
// (MarkRetry) or count it twice. The first final mark wins.
constexpr const char* kMarkSent =
    "UPDATE outbox SET state = 'sent', attempts = attempts + 1, body = '',"
    " claimed_until = 0, sent_at = ?2 WHERE id = ?1 AND state = 'pending'";

constexpr const char* kMarkRetry =
    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2,"
    " last_error = ?3, claimed_until = 0 WHERE id = ?1 AND state = 'pending'";

constexpr const char* kMarkDead =
    "UPDATE outbox SET state = 'dead', attempts = attempts + 1, body = '',"
    " last_error = ?2, claimed_until = 0 WHERE id = ?1 AND state = 'pending'";

constexpr const char* kReleaseClaims =
    "UPDATE outbox SET claimed_until = 0 WHERE claimed_until <> 0";

constexpr const char* kNextDue =
    "SELECT MIN(MAX(next_attempt_at, claimed_until)) FROM outbox"
    " WHERE state = 'pending'";

constexpr const char* kPurge =
    "DELETE FROM outbox WHERE state IN ('sent', 'dead') AND created_at < ?1";

core::Result<OutboxMessage> ReadMessage(const Statement& st) {
  OutboxMessage m;
  m.id = st.Text(0);
  m.tenant_id = st.Tenant(1);
  std::optional<courier::Channel> channel = courier::ParseChannel(st.Text(2));
  std::optional<courier::MessageState> state = courier::ParseState(st.Text(7));
  if (!channel || !state) {
    return core::Internal("outbox " + m.id + ": unknown channel '" + st.Text(2) + "' or state '" +
                          st.Text(7) + "'");
  }
  m.channel = *channel;
  m.recipient = st.Text(3);
  m.kind = st.Text(4);
  m.subject = st.Text(5);
  m.body = st.Text(6);
  m.state = *state;
  m.attempts = static_cast<int>(st.Int(8));
  m.next_attempt_at = st.Int(9);
  m.created_at = st.Int(10);
  m.last_error = st.Text(11);
  return m;
}

class SqliteOutboxStore final : public courier::OutboxStore {
 public:
  SqliteOutboxStore(ConnectionPool& pool, Writer& writer) : pool_(pool), writer_(writer) {}

  core::Status Enqueue(const std::vector<OutboxMessage>& messages) override {
    if (messages.empty()) return core::Status::Ok();
    return writer_.Run(
        [&](Connection& conn) -> core::Status { return InsertOutboxMessages(conn, messages); });
  }

  core::Result<std::vector<OutboxMessage>> ClaimDue(core::UnixMillis now, int limit,
                                                    core::UnixMillis lease_until) override {
    std::vector<OutboxMessage> claimed;
    if (limit <= 0) return claimed;
    // Select and claim in one writer op: no other caller (thread or
    // process) can take the same rows in between.
    core::Status s = writer_.Run([&](Connection& conn) -> core::Status {
      {
        core::Result<Statement> st = conn.Prepare(kDue);
        if (!st.ok()) return st.error();
        st->BindInt(1, now).BindInt(2, limit);
        while (true) {
          core::Result<bool> row = st->Step();
          if (!row.ok()) return row.status();
          if (!*row) break;
          core::Result<OutboxMessage> m = ReadMessage(*st);
          if (!m.ok()) return m.error();
          claimed.push_back(std::move(*m));
        }
      }
      for (const OutboxMessage& m : claimed) {
        core::Result<Statement> st = conn.Prepare(kClaim);
        if (!st.ok()) return st.error();
        st->BindInt(1, lease_until).BindText(2, m.id);
        if (core::Status run = st->Run(); !run.ok()) return run;
      }
      return core::Status::Ok();
    });
    if (!s.ok()) return s;
    return claimed;
  }

  core::Status MarkSent(const std::string& id, core::UnixMillis at) override {
    return writer_.Run([&](Connection& conn) -> core::Status {
      core::Result<Statement> st = conn.Prepare(kMarkSent);
      if (!st.ok()) return st.error();
      st->BindText(1, id).BindInt(2, at);
      return st->Run();
    });
  }

  core::Status MarkRetry(const std::string& id, core::UnixMillis next_attempt_at,
                         std::string_view error) override {
    return writer_.Run([&](Connection& conn) -> core::Status {
      core::Result<Statement> st = conn.Prepare(kMarkRetry);
      if (!st.ok()) return st.error();
      st->BindText(1, id).BindInt(2, next_attempt_at).BindText(3, error);
      return st->Run();
    });
  }

  // `at` is not stored: the schema keeps only sent_at, and OutboxMessage
  // has no field for the time a message was given up.
  core::Status MarkDead(const std::string& id, std::string_view error,
                        core::UnixMillis /*at*/) override {
    return writer_.Run([&](Connection& conn) -> core::Status {
      core::Result<Statement> st = conn.Prepare(kMarkDead);
      if (!st.ok()) return st.error();
      st->BindText(1, id).BindText(2, error);
      return st->Run();
    });
  }

  core::Status ReleaseClaims() override {
    return writer_.Run([&](Connection& conn) -> core::Status {
      core::Result<Statement> st = conn.Prepare(kReleaseClaims);
      if (!st.ok()) return st.error();
      return st->Run();
    });
  }

  core::Result<std::optional<core::UnixMillis>> NextDue() override {
    core::Result<ConnectionPool::Lease> conn = pool_.Acquire();
    if (!conn.ok()) return conn.error();
    core::Result<Statement> st = (*conn)->Prepare(kNextDue);
    if (!st.ok()) return st.error();
    core::Result<bool> row = st->Step();
    if (!row.ok()) return row.error();
    return std::optional<core::UnixMillis>(st->OptInt(0));
  }

  core::Result<int> Purge(core::UnixMillis before) override {
    int deleted = 0;
    core::Status s = writer_.Run([&](Connection& conn) -> core::Status {
      core::Result<Statement> st = conn.Prepare(kPurge);
      if (!st.ok()) return st.error();
      st->BindInt(1, before);
      if (core::Status run = st->Run(); !run.ok()) return run;
      deleted = st->changes();
      return core::Status::Ok();
    });
    if (!s.ok()) return s;
    return deleted;
  }

  core::Result<std::optional<OutboxMessage>> Get(const std::string& id) override {
    core::Result<ConnectionPool::Lease> conn = pool_.Acquire();
    if (!conn.ok()) return conn.error();
    core::Result<Statement> st = (*conn)->Prepare(kGet);
    if (!st.ok()) return st.error();
    st->BindText(1, id);
    core::Result<bool> row = st->Step();
    if (!row.ok()) return row.error();
    if (!*row) return std::optional<OutboxMessage>();
    core::Result<OutboxMessage> m = ReadMessage(*st);
    if (!m.ok()) return m.error();
    return std::optional<OutboxMessage>(std::move(*m));
  }

 private:
  ConnectionPool& pool_;  // reads
  Writer& writer_;        // every write, group-committed
};

}  // namespace

core::Status InsertOutboxMessages(Connection& conn, const std::vector<OutboxMessage>& messages) {
  for (const OutboxMessage& m : messages) {
    core::Result<Statement> st = conn.Prepare(kInsert);
    if (!st.ok()) return st.error();
    st->BindText(1, m.id)
        .BindTenant(2, m.tenant_id)
        .BindText(3, courier::ChannelName(m.channel))
        .BindText(4, m.recipient)
        .BindText(5, m.kind)
        .BindText(6, m.subject)
        .BindText(7, m.body)
        .BindInt(8, m.attempts)
        .BindInt(9, m.next_attempt_at)
        .BindText(10, m.last_error)
        .BindInt(11, m.created_at);
    if (core::Status s = st->Run(); !s.ok()) return s;
  }
  return core::Status::Ok();
}

std::unique_ptr<courier::OutboxStore> NewSqliteOutboxStore(ConnectionPool& pool, Writer& writer) {
  return std::make_unique<SqliteOutboxStore>(pool, writer);
}

}  // namespace authd::store::sqlite
