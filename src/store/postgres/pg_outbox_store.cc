#include <algorithm>
#include <optional>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "store/postgres/pg_stores.h"

namespace authd::store::postgres {
namespace {

using courier::OutboxMessage;

// Both message queries select (or return) these columns, in the order
// ReadMessage reads.
constexpr const char* kGet =
    "SELECT id, tenant_id, channel, recipient, kind, subject, body, state,"
    " attempts, next_attempt_at, created_at, last_error"
    " FROM outbox WHERE id = $1";

// Selects and claims in one statement. The row locks of FOR UPDATE SKIP
// LOCKED make concurrent claimers (in any processes) take disjoint rows: a
// row locked by another claim is skipped, and one whose claim committed
// meanwhile is re-checked against `claimed_until <= now` (READ COMMITTED
// re-reads the newest version) and dropped. The inner query is served by
// the partial index outbox_due_idx. RETURNING's order is unspecified:
// ClaimDue sorts.
constexpr const char* kClaimDue =
    "UPDATE outbox SET claimed_until = $3 WHERE id IN ("
    "SELECT id FROM outbox WHERE state = 'pending' AND next_attempt_at <= $1"
    " AND claimed_until <= $1"
    " ORDER BY next_attempt_at ASC, created_at ASC, id ASC LIMIT $2"
    " FOR UPDATE SKIP LOCKED)"
    " RETURNING id, tenant_id, channel, recipient, kind, subject, body, state,"
    " attempts, next_attempt_at, created_at, last_error";

constexpr const char* kInsert =
    "INSERT INTO outbox (id, tenant_id, channel, recipient, kind, subject,"
    " body, state, attempts, next_attempt_at, claimed_until, last_error,"
    " created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $9, 0, $10, $11)";

// The marks change only pending messages: a sender whose lease ran out
// while another one delivered the message cannot send it back to the queue
// (MarkRetry) or count it twice. The first final mark wins (the row lock
// orders racing marks; the loser re-reads the row and no longer matches).
constexpr const char* kMarkSent =
    "UPDATE outbox SET state = 'sent', attempts = attempts + 1, body = '',"
    " claimed_until = 0, sent_at = $2 WHERE id = $1 AND state = 'pending'";

constexpr const char* kMarkRetry =
    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2,"
    " last_error = $3, claimed_until = 0 WHERE id = $1 AND state = 'pending'";

constexpr const char* kMarkDead =
    "UPDATE outbox SET state = 'dead', attempts = attempts + 1, body = '',"
    " last_error = $2, claimed_until = 0 WHERE id = $1 AND state = 'pending'";

constexpr const char* kReleaseClaims =
    "UPDATE outbox SET claimed_until = 0 WHERE claimed_until <> 0";

constexpr const char* kNextDue =
    "SELECT MIN(GREATEST(next_attempt_at, claimed_until)) FROM outbox"
    " WHERE state = 'pending'";

constexpr const char* kPurge =
    "DELETE FROM outbox WHERE state IN ('sent', 'dead') AND created_at < $1";

core::Result<OutboxMessage> ReadMessage(const PgResult& r, int row) {
  OutboxMessage m;
  m.id = r.Text(row, 0);
  m.tenant_id = r.Tenant(row, 1);
  std::optional<courier::Channel> channel = courier::ParseChannel(r.Text(row, 2));
  std::optional<courier::MessageState> state = courier::ParseState(r.Text(row, 7));
  if (!channel || !state) {
    return core::Internal("outbox " + m.id + ": unknown channel '" + r.Text(row, 2) +
                          "' or state '" + r.Text(row, 7) + "'");
  }
  m.channel = *channel;
  m.recipient = r.Text(row, 3);
  m.kind = r.Text(row, 4);
  m.subject = r.Text(row, 5);
  m.body = r.Text(row, 6);
  m.state = *state;
  m.attempts = static_cast<int>(r.Int(row, 8));
  m.next_attempt_at = r.Int(row, 9);
  m.created_at = r.Int(row, 10);
  m.last_error = r.Text(row, 11);
  return m;
}

class PgOutboxStore final : public courier::OutboxStore {
 public:
  explicit PgOutboxStore(PgPool& pool) : pool_(pool) {}

  core::Status Enqueue(const std::vector<OutboxMessage>& messages) override {
    if (messages.empty()) return core::Status::Ok();
    return pool_.Transact(
        [&](PgConnection& conn) -> core::Status { return InsertOutboxMessages(conn, messages); });
  }

  // One statement, so Run: a repeat after a lost connection is harmless
  // (claims the first attempt made without reporting them lapse with
  // their lease, as if their sender had died).
  core::Result<std::vector<OutboxMessage>> ClaimDue(core::UnixMillis now, int limit,
                                                    core::UnixMillis lease_until) override {
    if (limit <= 0) return std::vector<OutboxMessage>();
    core::Result<std::vector<OutboxMessage>> claimed =
        pool_.Run([&](PgConnection& conn) -> core::Result<std::vector<OutboxMessage>> {
          core::Result<PgResult> r =
              conn.Exec(kClaimDue, PgParams().Int(now).Int(limit).Int(lease_until));
          if (!r.ok()) return r.error();
          std::vector<OutboxMessage> out;
          out.reserve(static_cast<size_t>(r->rows()));
          for (int i = 0; i < r->rows(); ++i) {
            core::Result<OutboxMessage> m = ReadMessage(*r, i);
            if (!m.ok()) return m.error();
            out.push_back(std::move(*m));
          }
          return out;
        });
    if (!claimed.ok()) return claimed;
    std::sort(claimed->begin(), claimed->end(), [](const OutboxMessage& a, const OutboxMessage& b) {
      return std::tie(a.next_attempt_at, a.created_at, a.id) <
             std::tie(b.next_attempt_at, b.created_at, b.id);
    });
    return claimed;
  }

  // Repeating MarkSent or MarkDead is harmless (the message is no longer
  // pending): Run.
  core::Status MarkSent(const std::string& id, core::UnixMillis at) override {
    return pool_.Run([&](PgConnection& conn) -> core::Status {
      return StatusOf(conn.Exec(kMarkSent, PgParams().Text(id).Int(at)));
    });
  }

  // A transaction: a repeat of a committed MarkRetry would count the
  // attempt twice.
  core::Status MarkRetry(const std::string& id, core::UnixMillis next_attempt_at,
                         std::string_view error) override {
    return WriteCounting(pool_, kMarkRetry, PgParams().Text(id).Int(next_attempt_at).Text(error))
        .status();
  }

  core::Status MarkDead(const std::string& id, std::string_view error,
                        core::UnixMillis /*at*/) override {
    return pool_.Run([&](PgConnection& conn) -> core::Status {
      return StatusOf(conn.Exec(kMarkDead, PgParams().Text(id).Text(error)));
    });
  }

  core::Status ReleaseClaims() override {
    return pool_.Run(
        [&](PgConnection& conn) -> core::Status { return StatusOf(conn.Exec(kReleaseClaims)); });
  }

  core::Result<std::optional<core::UnixMillis>> NextDue() override {
    return pool_.Run([&](PgConnection& conn) -> core::Result<std::optional<core::UnixMillis>> {
      core::Result<PgResult> r = conn.Exec(kNextDue);
      if (!r.ok()) return r.error();
      if (r->rows() == 0) return std::optional<core::UnixMillis>();
      return r->OptionalInt(0, 0);
    });
  }

  // WriteCounting (a transaction): a repeat would report 0.
  core::Result<int> Purge(core::UnixMillis before) override {
    core::Result<std::int64_t> n = WriteCounting(pool_, kPurge, PgParams().Int(before));
    if (!n.ok()) return n.error();
    return static_cast<int>(*n);
  }

  core::Result<std::optional<OutboxMessage>> Get(const std::string& id) override {
    return pool_.Run([&](PgConnection& conn) -> core::Result<std::optional<OutboxMessage>> {
      core::Result<PgResult> r = conn.Exec(kGet, PgParams().Text(id));
      if (!r.ok()) return r.error();
      if (r->rows() == 0) return std::optional<OutboxMessage>();
      core::Result<OutboxMessage> m = ReadMessage(*r, 0);
      if (!m.ok()) return m.error();
      return std::optional<OutboxMessage>(std::move(*m));
    });
  }

 private:
  PgPool& pool_;
};

}  // namespace

core::Status InsertOutboxMessages(PgConnection& conn, const std::vector<OutboxMessage>& messages) {
  for (const OutboxMessage& m : messages) {
    PgParams p;
    p.Text(m.id)
        .Tenant(m.tenant_id)
        .Text(courier::ChannelName(m.channel))
        .Text(m.recipient)
        .Text(m.kind)
        .Text(m.subject)
        .Text(m.body)
        .Int(m.attempts)
        .Int(m.next_attempt_at)
        .Text(m.last_error)
        .Int(m.created_at);
    if (core::Status s = StatusOf(conn.Exec(kInsert, p)); !s.ok()) return s;
  }
  return core::Status::Ok();
}

std::unique_ptr<courier::OutboxStore> NewPgOutboxStore(PgPool& pool) {
  return std::make_unique<PgOutboxStore>(pool);
}

}  // namespace authd::store::postgres
