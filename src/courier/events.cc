#include "courier/events.h"

namespace authd::courier {

EventData& EventData::Str(std::string_view key, std::string_view value) {
  w_.Key(key).String(value);
  return *this;
}

EventData& EventData::OptStr(std::string_view key, const std::optional<std::string>& value) {
  w_.Key(key);
  if (value)
    w_.String(*value);
  else
    w_.Null();
  return *this;
}

EventData& EventData::Tenant(const core::TenantId& tenant) {
  w_.Key("tenantId");
  if (tenant)
    w_.String(tenant->str());
  else
    w_.Null();
  return *this;
}

EventData& EventData::Bool(std::string_view key, bool value) {
  w_.Key(key).Bool(value);
  return *this;
}

EventData& EventData::Int(std::string_view key, std::int64_t value) {
  w_.Key(key).Int(value);
  return *this;
}

EventData& EventData::Time(std::string_view key, core::UnixMillis at) {
  w_.Key(key).String(core::FormatIso8601(at));
  return *this;
}

std::string EventData::Finish(const std::optional<std::string>& code) const {
  core::JsonWriter w = w_;
  if (code) w.Key("code").String(*code);
  w.EndObject();
  return w.Take();
}

namespace {
class NullSink final : public EventSink {
 public:
  bool Wants(std::string_view) const override { return false; }
  std::vector<OutboxMessage> Messages(const Event&) const override { return {}; }
  core::Status Publish(const Event&) override { return core::Status::Ok(); }
  void Notify() const override {}
};
}  // namespace

EventSink& NoEvents() {
  static NullSink sink;
  return sink;
}

bool EventPublisher::Wants(std::string_view name) const {
  if (options_.urls.empty()) return false;
  return options_.names.empty() || options_.names.count(std::string(name)) > 0;
}

std::vector<OutboxMessage> EventPublisher::Messages(const Event& e) const {
  std::vector<OutboxMessage> out;
  if (!Wants(e.name)) return out;
  const bool with_code = options_.include_codes.count(e.name) > 0;
  const std::string data = e.data.Finish(with_code ? e.code : std::nullopt);
  const core::UnixMillis now = clock_.NowMillis();
  for (const std::string& url : options_.urls) {
    OutboxMessage m;
    m.id = random_.UuidV4();
    m.tenant_id = e.tenant;
    m.channel = Channel::kWebhook;
    m.recipient = url;
    m.kind = e.name;
    core::JsonWriter w;
    w.BeginObject()
        .Key("id")
        .String(m.id)
        .Key("event")
        .String(e.name)
        .Key("createdAt")
        .String(core::FormatIso8601(now))
        .Key("data")
        .Raw(data)
        .EndObject();
    m.body = w.Take();
    m.next_attempt_at = now;
    m.created_at = now;
    out.push_back(std::move(m));
  }
  return out;
}

core::Status EventPublisher::Publish(const Event& e) {
  std::vector<OutboxMessage> messages = Messages(e);
  if (messages.empty()) return core::Status::Ok();
  if (auto s = outbox_.Enqueue(messages); !s.ok()) return s;
  Notify();
  return core::Status::Ok();
}

}  // namespace authd::courier
