#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/mutex.h"
#include "otp/consume_rule.h"
#include "store/memory/memory_stores.h"

namespace authd::store {
namespace {

using courier::OutboxMessage;
using otp::ConsumeOutcome;
using otp::OneTimeCode;

struct OutboxRow {
  OutboxMessage message;
  core::UnixMillis claimed_until = 0;  // 0 = unclaimed
};

// What the two stores share: Issue writes codes and messages under one lock.
struct CourierState {
  core::Mutex mu;
  std::map<std::string, OneTimeCode> otps GUARDED_BY(mu);  // by id
  std::map<std::string, OutboxRow> outbox GUARDED_BY(mu);  // by id
};

bool HasKey(const OneTimeCode& c, const core::TenantId& tenant, const core::UserId& user,
            otp::Purpose purpose) {
  return c.tenant_id == tenant && c.user_id == user && c.purpose == purpose;
}

// Newest first; ties broken as the SQL adapters do.
bool Newer(const OneTimeCode* a, const OneTimeCode* b) {
  if (a->created_at != b->created_at) return a->created_at > b->created_at;
  return a->id > b->id;
}

// The order ClaimDue takes messages in.
bool DueEarlier(const OutboxRow* a, const OutboxRow* b) {
  const OutboxMessage& x = a->message;
  const OutboxMessage& y = b->message;
  if (x.next_attempt_at != y.next_attempt_at) {
    return x.next_attempt_at < y.next_attempt_at;
  }
  if (x.created_at != y.created_at) return x.created_at < y.created_at;
  return x.id < y.id;
}

// An error, before anything is written, if an id of `messages` is taken or
// repeated (the SQL primary key's rule); else inserts them all, pending and
// unclaimed.
core::Status InsertMessages(CourierState& state, const std::vector<OutboxMessage>& messages)
    REQUIRES(state.mu) {
  std::set<std::string> ids;
  for (const OutboxMessage& m : messages) {
    if (state.outbox.count(m.id) != 0 || !ids.insert(m.id).second) {
      return core::Internal("outbox: duplicate message id " + m.id);
    }
  }
  for (const OutboxMessage& m : messages) {
    OutboxRow row{m, 0};
    row.message.state = courier::MessageState::kPending;
    state.outbox.emplace(m.id, std::move(row));
  }
  return core::Status::Ok();
}

class MemoryOtpStore final : public otp::OtpStore {
 public:
  explicit MemoryOtpStore(std::shared_ptr<CourierState> state) : state_(std::move(state)) {}

  core::Status Issue(const OneTimeCode& code, const std::vector<OutboxMessage>& messages) override {
    core::MutexLock lock(&state_->mu);
    auto taken = state_->otps.find(code.id);
    if (taken != state_->otps.end() &&
        !HasKey(taken->second, code.tenant_id, code.user_id, code.purpose)) {
      return core::Internal("otp Issue: duplicate id " + code.id);
    }
    // Both checks pass before anything changes: all of it or none.
    if (core::Status s = InsertMessages(*state_, messages); !s.ok()) return s;
    EraseKey(code.tenant_id, code.user_id, code.purpose);
    state_->otps[code.id] = code;
    return core::Status::Ok();
  }

  // Nothing to imitate: the fake has no transaction cost to hide.
  core::Status IssueDecoy(const OneTimeCode& /*code*/) override {
    core::MutexLock lock(&state_->mu);
    return core::Status::Ok();
  }

  core::Result<ConsumeOutcome> Consume(const core::TenantId& tenant, const core::UserId& user,
                                       otp::Purpose purpose, std::string_view code_hash,
                                       core::UnixMillis now, int max_attempts) override {
    core::MutexLock lock(&state_->mu);
    const otp::ConsumeDecision d =
        otp::DecideConsume(CodesOf(tenant, user, purpose), code_hash, now, max_attempts);
    if (!d.delete_id.empty()) state_->otps.erase(d.delete_id);
    if (d.count_attempt) {
      for (auto it = state_->otps.begin(); it != state_->otps.end();) {
        OneTimeCode& c = it->second;
        if (!HasKey(c, tenant, user, purpose) || !otp::CountsAttempt(c, now)) {
          ++it;
        } else if (otp::SpentByAttempt(c, max_attempts)) {
          it = state_->otps.erase(it);
        } else {
          ++c.attempts;
          ++it;
        }
      }
    }
    return d.outcome;
  }

  core::Result<int> DeleteAll(const core::TenantId& tenant, const core::UserId& user,
                              otp::Purpose purpose) override {
    core::MutexLock lock(&state_->mu);
    return EraseKey(tenant, user, purpose);
  }

  core::Result<std::vector<OneTimeCode>> List(const core::TenantId& tenant,
                                              const core::UserId& user,
                                              otp::Purpose purpose) override {
    core::MutexLock lock(&state_->mu);
    std::vector<OneTimeCode> out;
    for (const OneTimeCode* c : CodesOf(tenant, user, purpose)) out.push_back(*c);
    return out;
  }

 private:
  // The codes of the key, newest first.
  std::vector<const OneTimeCode*> CodesOf(const core::TenantId& tenant, const core::UserId& user,
                                          otp::Purpose purpose) const REQUIRES(state_->mu) {
    std::vector<const OneTimeCode*> codes;
    for (const auto& [id, c] : state_->otps) {
      if (HasKey(c, tenant, user, purpose)) codes.push_back(&c);
    }
    std::sort(codes.begin(), codes.end(), Newer);
    return codes;
  }

  // Deletes the codes of the key; how many.
  int EraseKey(const core::TenantId& tenant, const core::UserId& user, otp::Purpose purpose)
      REQUIRES(state_->mu) {
    return static_cast<int>(std::erase_if(state_->otps, [&](const auto& entry) {
      return HasKey(entry.second, tenant, user, purpose);
    }));
  }

  std::shared_ptr<CourierState> state_;
};

class MemoryOutboxStore final : public courier::OutboxStore {
 public:
  explicit MemoryOutboxStore(std::shared_ptr<CourierState> state) : state_(std::move(state)) {}

  core::Status Enqueue(const std::vector<OutboxMessage>& messages) override {
    core::MutexLock lock(&state_->mu);
    return InsertMessages(*state_, messages);
  }

  core::Result<std::vector<OutboxMessage>> ClaimDue(core::UnixMillis now, int limit,
                                                    core::UnixMillis lease_until) override {
    core::MutexLock lock(&state_->mu);
    std::vector<OutboxRow*> due;
    for (auto& [id, row] : state_->outbox) {
      if (row.message.state == courier::MessageState::kPending &&
          row.message.next_attempt_at <= now && row.claimed_until <= now) {
        due.push_back(&row);
      }
    }
    std::sort(due.begin(), due.end(), DueEarlier);
    std::vector<OutboxMessage> claimed;
    for (OutboxRow* row : due) {
      if (static_cast<int>(claimed.size()) >= limit) break;
      row->claimed_until = lease_until;
      claimed.push_back(row->message);
    }
    return claimed;
  }

  core::Status MarkSent(const std::string& id, core::UnixMillis /*at*/) override {
    core::MutexLock lock(&state_->mu);
    if (OutboxRow* row = Pending(id)) {
      row->message.state = courier::MessageState::kSent;
      Finish(*row);
    }
    return core::Status::Ok();
  }

  core::Status MarkRetry(const std::string& id, core::UnixMillis next_attempt_at,
                         std::string_view error) override {
    core::MutexLock lock(&state_->mu);
    if (OutboxRow* row = Pending(id)) {
      ++row->message.attempts;
      row->message.next_attempt_at = next_attempt_at;
      row->message.last_error = std::string(error);
      row->claimed_until = 0;
    }
    return core::Status::Ok();
  }

  core::Status MarkDead(const std::string& id, std::string_view error,
                        core::UnixMillis /*at*/) override {
    core::MutexLock lock(&state_->mu);
    if (OutboxRow* row = Pending(id)) {
      row->message.state = courier::MessageState::kDead;
      row->message.last_error = std::string(error);
      Finish(*row);
    }
    return core::Status::Ok();
  }

  core::Status ReleaseClaims() override {
    core::MutexLock lock(&state_->mu);
    for (auto& [id, row] : state_->outbox) row.claimed_until = 0;
    return core::Status::Ok();
  }

  core::Result<std::optional<core::UnixMillis>> NextDue() override {
    core::MutexLock lock(&state_->mu);
    std::optional<core::UnixMillis> next;
    for (const auto& [id, row] : state_->outbox) {
      if (row.message.state != courier::MessageState::kPending) continue;
      const core::UnixMillis at = std::max(row.message.next_attempt_at, row.claimed_until);
      if (!next || at < *next) next = at;
    }
    return next;
  }

  core::Result<int> Purge(core::UnixMillis before) override {
    core::MutexLock lock(&state_->mu);
    return static_cast<int>(std::erase_if(state_->outbox, [&](const auto& entry) {
      const OutboxMessage& m = entry.second.message;
      return m.state != courier::MessageState::kPending && m.created_at < before;
    }));
  }

  core::Result<std::optional<OutboxMessage>> Get(const std::string& id) override {
    core::MutexLock lock(&state_->mu);
    auto it = state_->outbox.find(id);
    if (it == state_->outbox.end()) return std::optional<OutboxMessage>();
    return std::optional<OutboxMessage>(it->second.message);
  }

 private:
  // The message `id` if it is still pending: the marks change nothing else,
  // as in the SQL adapters.
  OutboxRow* Pending(const std::string& id) REQUIRES(state_->mu) {
    auto it = state_->outbox.find(id);
    if (it == state_->outbox.end() || it->second.message.state != courier::MessageState::kPending) {
      return nullptr;
    }
    return &it->second;
  }

  // A final mark's common part: one more attempt, body scrubbed, claim dropped.
  static void Finish(OutboxRow& row) {
    ++row.message.attempts;
    row.message.body.clear();
    row.claimed_until = 0;
  }

  std::shared_ptr<CourierState> state_;
};

}  // namespace

MemoryCourierStores NewMemoryCourierStores() {
  auto state = std::make_shared<CourierState>();
  return MemoryCourierStores{std::make_unique<MemoryOtpStore>(state),
                             std::make_unique<MemoryOutboxStore>(state)};
}

}  // namespace authd::store
