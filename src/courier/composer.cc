#include "courier/composer.h"

namespace authd::courier {

OutboxMessage Composer::Compose(Channel channel, const core::TenantId& tenant,
                                std::string recipient, std::string_view template_name,
                                std::map<std::string, std::string> vars) const {
  vars["app_name"] = app_name_;
  const Templates::Rendered r = templates_.Render(template_name, channel, vars);
  const core::UnixMillis now = clock_.NowMillis();
  OutboxMessage m;
  m.id = random_.UuidV4();
  m.tenant_id = tenant;
  m.channel = channel;
  m.recipient = std::move(recipient);
  m.kind = std::string(template_name);
  if (channel == Channel::kEmail) m.subject = r.subject;
  m.body = r.body;
  m.next_attempt_at = now;
  m.created_at = now;
  return m;
}

}  // namespace authd::courier
