// Composer: renders an e-mail or SMS from its template into an outbox
// message ready to enqueue (the send happens later, in the Sender).
// Thread-safety: immutable after construction.
#ifndef AUTHD_COURIER_COMPOSER_H_
#define AUTHD_COURIER_COMPOSER_H_

#include <map>
#include <string>
#include <string_view>

#include "core/clock.h"
#include "core/ids.h"
#include "courier/message.h"
#include "courier/templates.h"
#include "crypto/random.h"

namespace authd::courier {

class Composer {
 public:
  // REQUIRES: `templates` outlives the Composer.
  Composer(const Templates& templates, std::string app_name, crypto::SecureRandom& random,
           const core::Clock& clock)
      : templates_(templates), app_name_(std::move(app_name)), random_(random), clock_(clock) {}

  // `channel` is kEmail or kSms; `vars` gets app_name added.
  OutboxMessage Compose(Channel channel, const core::TenantId& tenant, std::string recipient,
                        std::string_view template_name,
                        std::map<std::string, std::string> vars) const;

 private:
  const Templates& templates_;
  const std::string app_name_;
  crypto::SecureRandom& random_;
  const core::Clock& clock_;
};

}  // namespace authd::courier

#endif  // AUTHD_COURIER_COMPOSER_H_
