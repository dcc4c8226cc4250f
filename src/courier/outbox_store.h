// OutboxStore: the persistence port of the durable outbox, owned by the
// courier domain and implemented by the adapters in store/.
//
// Delivery is at-least-once: a message is claimed (a lease), sent, then
// marked. A process that dies holding a claim leaves the message to be
// taken again when the lease ends (or at once after ReleaseClaims(), which
// a single-process deployment calls at startup).
//
// Safe for concurrent use, also from several processes sharing one
// database: a message is claimed by at most one caller at a time. Every
// acknowledged write is durable.
#ifndef AUTHD_COURIER_OUTBOX_STORE_H_
#define AUTHD_COURIER_OUTBOX_STORE_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.h"
#include "core/status.h"
#include "courier/message.h"

namespace authd::courier {

class OutboxStore {
 public:
  virtual ~OutboxStore() = default;

  // Inserts `messages` (state pending) in one transaction.
  virtual core::Status Enqueue(const std::vector<OutboxMessage>& messages) = 0;

  // Up to `limit` pending messages with next_attempt_at <= now and no
  // claim alive at `now`, oldest next_attempt_at first (then created_at),
  // each now claimed until `lease_until`. Atomic: two concurrent callers
  // never get the same message.
  virtual core::Result<std::vector<OutboxMessage>> ClaimDue(core::UnixMillis now, int limit,
                                                            core::UnixMillis lease_until) = 0;

  // The Mark* calls change only a pending message (a sender whose lease ran
  // out cannot undo another's final mark); on others they are no-ops.
  // Delivered: state sent, attempts + 1, body scrubbed, claim dropped.
  virtual core::Status MarkSent(const std::string& id, core::UnixMillis at) = 0;

  // A failed attempt to try again: attempts + 1, next_attempt_at, the
  // error kept in last_error, claim dropped; stays pending.
  virtual core::Status MarkRetry(const std::string& id, core::UnixMillis next_attempt_at,
                                 std::string_view error) = 0;

  // Given up: state dead, attempts + 1, last_error, body scrubbed.
  virtual core::Status MarkDead(const std::string& id, std::string_view error,
                                core::UnixMillis at) = 0;

  // Drops every claim. Only for a process that knows it is the database's
  // sole user (the embedded SQLite deployment), at startup.
  virtual core::Status ReleaseClaims() = 0;

  // The earliest time a pending message becomes claimable, i.e. the
  // minimum over pending messages of max(next_attempt_at, claimed_until),
  // if any: how long the sender may sleep (a message claimed by another
  // sender does not wake this one before its lease ends).
  virtual core::Result<std::optional<core::UnixMillis>> NextDue() = 0;

  // Deletes sent and dead messages created before `before`; how many.
  virtual core::Result<int> Purge(core::UnixMillis before) = 0;

  // The message with `id`, if any (operators, tests).
  virtual core::Result<std::optional<OutboxMessage>> Get(const std::string& id) = 0;
};

}  // namespace authd::courier

#endif  // AUTHD_COURIER_OUTBOX_STORE_H_
