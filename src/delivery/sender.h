// Sender: the background worker that empties the outbox.
//
// Each of its threads loops: claim due messages (a lease, so another
// thread or another authd process never sends the same one at the same
// time), hand each to the transport of its channel, then mark it sent, or
// schedule a retry with exponential backoff and jitter, or give it up
// (dead) after max_attempts or a permanent failure. Between rounds a
// thread sleeps until woken (Wake(), called after an enqueue) or for at
// most poll_ms, so messages enqueued by other processes are found too.
// Sent and dead messages are purged after retention_ms.
//
// Delivery is at-least-once: a crash after a transport accepted a message
// but before it was marked sent makes it go again (SMTP has no idempotency
// key; webhooks get the message id in X-Authd-Message-Id to dedupe).
// Thread-safety: Wake and Stop may be called from any thread.
#ifndef AUTHD_DELIVERY_SENDER_H_
#define AUTHD_DELIVERY_SENDER_H_

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include "core/clock.h"
#include "core/mutex.h"
#include "courier/outbox_store.h"
#include "courier/transport.h"
#include "crypto/random.h"

namespace authd::delivery {

struct SenderOptions {
  int threads = 2;
  int batch = 8;                         // messages claimed per round
  int max_attempts = 10;                 // then the message is dead
  std::int64_t retry_initial_ms = 1000;  // first retry delay
  std::int64_t retry_max_ms = 10 * 60 * 1000;
  std::int64_t lease_ms = 60 * 1000;  // > the slowest transport timeout
  std::int64_t poll_ms = 1000;
  std::int64_t retention_ms = 7LL * 24 * 3600 * 1000;
};

// The transport of each channel; null = messages of that channel wait.
struct Transports {
  courier::Transport* email = nullptr;
  courier::Transport* sms = nullptr;
  courier::Transport* webhook = nullptr;
};

class Sender {
 public:
  // REQUIRES: every reference outlives the Sender.
  Sender(const SenderOptions& options, courier::OutboxStore& outbox, Transports transports,
         const core::Clock& clock, crypto::SecureRandom& random);
  Sender(const Sender&) = delete;
  Sender& operator=(const Sender&) = delete;
  ~Sender();  // Stop()

  void Start();
  // Lets in-flight sends finish (bounded by the transport timeouts), then
  // joins the threads. Idempotent.
  void Stop();
  void Wake();

  // One round on the calling thread: claims up to `batch` due messages
  // and delivers them. Returns how many were claimed.
  int RunOnce();

  // Delay before retry number `attempts` (1 = the first retry), jittered.
  std::int64_t Backoff(int attempts);

 private:
  void Loop();
  void Deliver(const courier::OutboxMessage& m);
  void MaybePurge(core::UnixMillis now);

  const SenderOptions options_;
  courier::OutboxStore& outbox_;
  const Transports transports_;
  const core::Clock& clock_;
  crypto::SecureRandom& random_;

  core::Mutex mu_;
  core::CondVar cv_;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::uint64_t wakes_ GUARDED_BY(mu_) = 0;
  std::vector<std::thread> threads_;
  std::atomic<core::UnixMillis> last_purge_{0};
};

}  // namespace authd::delivery

#endif  // AUTHD_DELIVERY_SENDER_H_
