// Lifecycle events (the reference's `nest_auth.*` events, spec config.md
// §5) delivered as signed webhooks through the outbox.
//
// A flow describes what happened in an Event and hands it to an EventSink:
// the EventPublisher turns it into one outbox message per configured URL.
// The payload sent is
//   {"id":"<uuid>","event":"<name>","createdAt":"<ISO 8601>","data":{...}}
// and never holds a password; a plain one-time code is added to `data`
// only for the events the operator listed in include_codes.
//
// Thread-safety: EventPublisher and NoEvents() are immutable after
// construction.
#ifndef AUTHD_COURIER_EVENTS_H_
#define AUTHD_COURIER_EVENTS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/ids.h"
#include "core/json_text.h"
#include "core/status.h"
#include "courier/message.h"
#include "courier/outbox_store.h"
#include "crypto/random.h"

namespace authd::courier {

// Event names, as the reference spells them.
namespace event {
inline constexpr const char* kRegistered = "nest_auth.registered";
inline constexpr const char* kLoggedIn = "nest_auth.logged_in";
inline constexpr const char* kLoginFailed = "nest_auth.login_failed";
inline constexpr const char* kLoggedOut = "nest_auth.logged_out";
inline constexpr const char* kLoggedOutAll = "nest_auth.logged_out_all";
inline constexpr const char* kRefreshReuse = "nest_auth.refresh_token_reuse_detected";
inline constexpr const char* kPasswordChanged = "nest_auth.password_changed";
inline constexpr const char* kPasswordResetRequested = "nest_auth.password_reset_requested";
inline constexpr const char* kPasswordReset = "nest_auth.password_reset";
inline constexpr const char* kEmailVerificationRequested = "email.verification.requested";
inline constexpr const char* kPhoneVerificationRequested = "phone.verification.requested";
inline constexpr const char* kEmailVerified = "email.verified";
inline constexpr const char* kPhoneVerified = "phone.verified";
}  // namespace event

// The `data` object of an event, built member by member.
class EventData {
 public:
  EventData() { w_.BeginObject(); }
  EventData& Str(std::string_view key, std::string_view value);
  EventData& OptStr(std::string_view key, const std::optional<std::string>& value);
  EventData& Tenant(const core::TenantId& tenant);  // "tenantId": id | null
  EventData& Bool(std::string_view key, bool value);
  EventData& Int(std::string_view key, std::int64_t value);
  EventData& Time(std::string_view key, core::UnixMillis at);  // ISO 8601
  // The JSON object so far, with `code` appended when set.
  std::string Finish(const std::optional<std::string>& code) const;

 private:
  core::JsonWriter w_;
};

struct Event {
  std::string name;
  core::TenantId tenant;
  EventData data;
  // A plain one-time code the event is about; sent only if opted in.
  std::optional<std::string> code;
};

struct EventOptions {
  std::vector<std::string> urls;        // empty: events are off
  std::set<std::string> names;          // empty: every event
  std::set<std::string> include_codes;  // events whose code may be sent
};

// Where flows send lifecycle events. Flows hold one by reference: without
// webhooks they get NoEvents(), which wants nothing.
class EventSink {
 public:
  virtual ~EventSink() = default;

  // Whether an event called `name` would be sent at all.
  virtual bool Wants(std::string_view name) const = 0;

  // One webhook message per URL (none if unwanted), to enqueue in the
  // caller's own transaction.
  virtual std::vector<OutboxMessage> Messages(const Event& e) const = 0;

  // Enqueues Messages(e) in a transaction of its own.
  virtual core::Status Publish(const Event& e) = 0;

  // To call after the caller enqueued Messages() itself.
  virtual void Notify() const = 0;

  // Best effort (the change it reports is done): publishes `name` about
  // `tenant` with the data `describe(EventData&)` writes. The event is
  // built only if wanted, so an unwanted one costs one lookup.
  template <typename Describe>
  void Emit(const char* name, const core::TenantId& tenant, Describe&& describe) {
    if (!Wants(name)) return;
    Event e{name, tenant, {}, std::nullopt};
    describe(e.data);
    (void)Publish(e);
  }
};

// The sink that wants no event (no webhook configured). Stateless.
EventSink& NoEvents();

class EventPublisher final : public EventSink {
 public:
  // `enqueued` is called after messages were durably enqueued (wakes the
  // sender); may be empty.
  EventPublisher(EventOptions options, OutboxStore& outbox, crypto::SecureRandom& random,
                 const core::Clock& clock, std::function<void()> enqueued = {})
      : options_(std::move(options)),
        outbox_(outbox),
        random_(random),
        clock_(clock),
        enqueued_(std::move(enqueued)) {}

  bool Wants(std::string_view name) const override;
  std::vector<OutboxMessage> Messages(const Event& e) const override;
  core::Status Publish(const Event& e) override;
  void Notify() const override {
    if (enqueued_) enqueued_();
  }

 private:
  const EventOptions options_;
  OutboxStore& outbox_;
  crypto::SecureRandom& random_;
  const core::Clock& clock_;
  const std::function<void()> enqueued_;
};

}  // namespace authd::courier

#endif  // AUTHD_COURIER_EVENTS_H_
