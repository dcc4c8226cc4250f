#include <memory>
#include <string>

#include "store/database.h"
#include "store/memory/memory_stores.h"

namespace authd::store {
namespace {

class MemoryDatabase final : public Database {
 public:
  identity::UserStore& users() override { return *users_; }
  session::SessionStore& sessions() override { return *sessions_; }
  otp::OtpStore& otps() override { return *courier_.otps; }
  courier::OutboxStore& outbox() override { return *courier_.outbox; }
  mfa::MfaStore& mfa() override { return *mfa_; }
  throttle::CounterStore& counters() override { return *counters_; }
  session::GuardReader& guard_reader() override { return *guard_; }
  std::string description() const override { return "memory"; }
  int schema_version() const override { return 0; }
  // The memory stores never answer core::NonBlockingScope.
  bool session_reads_in_memory() const override { return false; }

 private:
  std::unique_ptr<identity::UserStore> users_ = NewMemoryUserStore();
  std::unique_ptr<session::SessionStore> sessions_ = NewMemorySessionStore();
  MemoryCourierStores courier_ = NewMemoryCourierStores();
  std::unique_ptr<mfa::MfaStore> mfa_ = NewMemoryMfaStore();
  std::unique_ptr<throttle::CounterStore> counters_ = NewMemoryCounterStore();
  std::unique_ptr<session::GuardReader> guard_ = session::NewStoreGuardReader(*sessions_, *users_);
};

}  // namespace

std::unique_ptr<Database> NewMemoryDatabase() { return std::make_unique<MemoryDatabase>(); }

}  // namespace authd::store
