#include "session/user_agent.h"

namespace authd::session {
namespace {
bool Has(std::string_view ua, std::string_view needle) {
  return ua.find(needle) != std::string_view::npos;
}
}  // namespace

std::string BrowserName(std::string_view ua) {
  if (Has(ua, "Chrome") && !Has(ua, "Chromium")) return "Chrome";
  if (Has(ua, "Firefox")) return "Firefox";
  if (Has(ua, "Safari") && !Has(ua, "Chrome")) return "Safari";
  if (Has(ua, "Edg")) return "Edge";
  if (Has(ua, "Opera") || Has(ua, "OPR")) return "Opera";
  if (Has(ua, "MSIE") || Has(ua, "Trident/")) return "Internet Explorer";
  if (Has(ua, "Brave")) return "Brave";
  return "Unknown Browser";
}

std::string DeviceName(std::string_view ua) {
  if (Has(ua, "Windows")) return "Windows";
  if (Has(ua, "Macintosh")) return "Mac";
  if (Has(ua, "Linux")) return "Linux";
  if (Has(ua, "Android")) return "Android";
  if (Has(ua, "iPhone") || Has(ua, "iPad")) return "iOS";
  return "Unknown Device";
}

}  // namespace authd::session
