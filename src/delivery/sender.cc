#include "delivery/sender.h"

#include <algorithm>
#include <chrono>

#include <spdlog/spdlog.h>

namespace authd::delivery {

Sender::Sender(const SenderOptions& options, courier::OutboxStore& outbox, Transports transports,
               const core::Clock& clock, crypto::SecureRandom& random)
    : options_(options), outbox_(outbox), transports_(transports), clock_(clock), random_(random) {}

Sender::~Sender() { Stop(); }

void Sender::Start() {
  for (int i = 0; i < std::max(1, options_.threads); ++i) {
    threads_.emplace_back([this] { Loop(); });
  }
}

void Sender::Stop() {
  {
    core::MutexLock lock(&mu_);
    stopping_ = true;
  }
  cv_.SignalAll();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

void Sender::Wake() {
  {
    core::MutexLock lock(&mu_);
    ++wakes_;
  }
  cv_.SignalAll();
}

std::int64_t Sender::Backoff(int attempts) {
  std::int64_t d = options_.retry_initial_ms;
  for (int i = 1; i < attempts && d < options_.retry_max_ms; ++i) d *= 2;
  d = std::min(d, options_.retry_max_ms);
  // "Equal jitter": half fixed, half random, so retries of many messages
  // failing together spread out.
  std::uint32_t r = 0;
  random_.Fill(&r, sizeof r);
  const std::int64_t half = d / 2;
  return half + (half > 0 ? static_cast<std::int64_t>(r % (half + 1)) : 0);
}

void Sender::Deliver(const courier::OutboxMessage& m) {
  courier::Transport* t = nullptr;
  switch (m.channel) {
    case courier::Channel::kEmail:
      t = transports_.email;
      break;
    case courier::Channel::kSms:
      t = transports_.sms;
      break;
    case courier::Channel::kWebhook:
      t = transports_.webhook;
      break;
  }
  const int attempt = m.attempts + 1;
  core::Status sent = t ? t->Send(m)
                        : core::Status(core::Unavailable(std::string("no transport for ") +
                                                         courier::ChannelName(m.channel)));
  const core::UnixMillis now = clock_.NowMillis();
  core::Status marked;
  if (sent.ok()) {
    marked = outbox_.MarkSent(m.id, now);
    spdlog::info("courier sent id={} channel={} kind={} transport={} attempt={}", m.id,
                 courier::ChannelName(m.channel), m.kind, t->name(), attempt);
  } else {
    const core::Error& e = sent.error();
    const std::string why = e.debug.empty() ? e.message : e.debug;
    const bool permanent = e.category == core::ErrorCategory::kInvalidArgument;
    if (permanent || attempt >= options_.max_attempts) {
      marked = outbox_.MarkDead(m.id, why, now);
      spdlog::error("courier gave up id={} channel={} kind={} attempt={} error=\"{}\"", m.id,
                    courier::ChannelName(m.channel), m.kind, attempt, why);
    } else {
      const std::int64_t delay = Backoff(attempt);
      marked = outbox_.MarkRetry(m.id, now + delay, why);
      spdlog::warn("courier retry id={} channel={} kind={} attempt={} in_ms={} error=\"{}\"", m.id,
                   courier::ChannelName(m.channel), m.kind, attempt, delay, why);
    }
  }
  if (!marked.ok()) {
    // The lease will expire and the message go again: at-least-once.
    spdlog::error("courier could not record the outcome of id={}: {} {}", m.id,
                  marked.error().message, marked.error().debug);
  }
}

int Sender::RunOnce() {
  const core::UnixMillis now = clock_.NowMillis();
  auto claimed = outbox_.ClaimDue(now, options_.batch, now + options_.lease_ms);
  if (!claimed.ok()) {
    spdlog::warn("courier cannot read the outbox: {} {}", claimed.error().message,
                 claimed.error().debug);
    return 0;
  }
  for (const courier::OutboxMessage& m : *claimed) Deliver(m);
  MaybePurge(now);
  return static_cast<int>(claimed->size());
}

void Sender::MaybePurge(core::UnixMillis now) {
  constexpr std::int64_t kEvery = 3600 * 1000;
  core::UnixMillis last = last_purge_.load();
  if (now - last < kEvery || !last_purge_.compare_exchange_strong(last, now)) return;
  auto purged = outbox_.Purge(now - options_.retention_ms);
  if (purged.ok() && *purged > 0) spdlog::info("courier purged {} old messages", *purged);
}

void Sender::Loop() {
  std::uint64_t seen = 0;
  while (true) {
    {
      core::MutexLock lock(&mu_);
      if (stopping_) return;
      seen = wakes_;
    }
    if (RunOnce() > 0) continue;
    std::int64_t wait_ms = options_.poll_ms;
    if (auto next = outbox_.NextDue(); next.ok() && next->has_value()) {
      wait_ms = std::clamp<std::int64_t>(**next - clock_.NowMillis(), 1, options_.poll_ms);
    }
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
    core::MutexLock lock(&mu_);
    while (!stopping_ && wakes_ == seen && cv_.WaitUntil(&mu_, deadline)) {
    }
  }
}

}  // namespace authd::delivery
