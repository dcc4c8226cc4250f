// OutboxStoreContract: the conformance suite of courier::OutboxStore.
//
// The tests live in outbox_store_contract_test.cc; a backend instantiates
// the suite with its StoreBackendFactory (see store_backend.h). Each test
// gets a fresh, empty outbox.
#ifndef AUTHD_STORE_CONTRACT_OUTBOX_STORE_CONTRACT_H_
#define AUTHD_STORE_CONTRACT_OUTBOX_STORE_CONTRACT_H_

#include <optional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "courier/message.h"
#include "courier/outbox_store.h"
#include "store/contract/store_backend.h"

namespace authd::store::contract {

// A pending e-mail in the null tenant, due at `next_attempt_at`.
inline courier::OutboxMessage MakeMessage(const std::string& id,
                                          core::UnixMillis next_attempt_at = kNow,
                                          core::UnixMillis created_at = kNow) {
  courier::OutboxMessage m;
  m.id = id;
  m.channel = courier::Channel::kEmail;
  m.recipient = "alice@example.com";
  m.kind = "password_reset";
  m.subject = "Reset your password";
  m.body = "Your code is 123456 (" + id + ")";
  m.next_attempt_at = next_attempt_at;
  m.created_at = created_at;
  return m;
}

class OutboxStoreContract : public ::testing::TestWithParam<StoreBackendFactory> {
 protected:
  void SetUp() override {
    backend_ = GetParam().make();
    if (IsSkipped()) return;  // the backend is not available here
    ASSERT_NE(backend_.outbox, nullptr) << "backend " << GetParam().name;
  }

  courier::OutboxStore& outbox() { return *backend_.outbox; }

  void Enqueue(const std::vector<courier::OutboxMessage>& messages) {
    EXPECT_TRUE(IsOk(outbox().Enqueue(messages)));
  }

  // Ids of the messages ClaimDue hands out, in its order.
  std::vector<std::string> ClaimIds(core::UnixMillis now, int limit, core::UnixMillis lease_until) {
    std::vector<std::string> ids;
    auto r = outbox().ClaimDue(now, limit, lease_until);
    EXPECT_TRUE(IsOk(r));
    if (r.ok()) {
      for (const courier::OutboxMessage& m : *r) ids.push_back(m.id);
    }
    return ids;
  }

  std::optional<courier::OutboxMessage> GetMessage(const std::string& id) {
    auto r = outbox().Get(id);
    EXPECT_TRUE(IsOk(r));
    return r.ok() ? *r : std::nullopt;
  }

  std::optional<core::UnixMillis> NextDue() {
    auto r = outbox().NextDue();
    EXPECT_TRUE(IsOk(r));
    return r.ok() ? *r : std::nullopt;
  }

  StoreBackend backend_;
};

}  // namespace authd::store::contract

#endif  // AUTHD_STORE_CONTRACT_OUTBOX_STORE_CONTRACT_H_
