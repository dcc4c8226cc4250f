// Describes a client device from its User-Agent header the way the
// reference does ("Chrome - Windows"), for session listings.
#ifndef AUTHD_SESSION_USER_AGENT_H_
#define AUTHD_SESSION_USER_AGENT_H_

#include <string>
#include <string_view>

namespace authd::session {

std::string BrowserName(std::string_view user_agent);  // "Unknown Browser"
std::string DeviceName(std::string_view user_agent);   // "Unknown Device"

}  // namespace authd::session

#endif  // AUTHD_SESSION_USER_AGENT_H_
