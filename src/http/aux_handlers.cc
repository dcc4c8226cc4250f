// Auxiliary routes of the auth controller whose behaviour in authd's
// current feature set is fixed: multi-account listing, tenant lookup and
// switching while tenancy is disabled, and the OAuth popup callback page.
#include <string>

#include <boost/json.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include "core/errors.h"
#include "http/auth_handlers.h"
#include "http/handler_util.h"
#include "http/request_body.h"
#include "http/route.h"
#include "http/validation.h"

namespace authd::http {
namespace json = boost::json;

namespace {

// The reference's callback page: the query is reflected as JSON (with '<'
// and '>' escaped) and posted to the opener window.
std::string CallbackPage(const Request& req) {
  json::object query;
  if (auto parsed = boost::urls::parse_query(req.query)) {
    for (auto p : boost::urls::params_view(*parsed)) {
      query[p.key] = p.has_value ? json::string(p.value) : json::string();
    }
  }
  std::string data = json::serialize(query);
  std::string safe;
  safe.reserve(data.size());
  for (char c : data) {
    if (c == '<')
      safe += "\\u003c";
    else if (c == '>')
      safe += "\\u003e";
    else
      safe += c;
  }
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Signing in"
         "</title></head><body><script>(function(){var data=" +
         safe +
         ";var msg=Object.assign({type:'nest-auth-sso-callback'},data);"
         "if(window.opener){window.opener.postMessage(msg,'*');window.close();}"
         "else if(window.parent&&window.parent!==window){window.parent."
         "postMessage(msg,'*');}else{document.body.textContent=data.success?"
         "'Success! You can close this window.':'Error: '+(data.errorDescription"
         "||data.error);}})();</script></body></html>";
}

// switch-tenant: IsUUID on tenantId.
struct SwitchTenantDto {
  static SwitchTenantDto Decode(const json::object& body, Violations* errors) {
    std::optional<std::string> type_error;
    auto tenant = CoercedStringField(body, "tenantId", &type_error);
    if (type_error || !tenant || !IsUuid(*tenant)) {
      errors->push_back(CheckMessage(Check::kIsUuid, "tenantId"));
    }
    return {};
  }
};

Reply Accounts(const Request&, const flows::Principal&, const NoBody&) {
  Response r;
  r.body = R"({"accounts":[]})";  // multi-account cookies are not enabled
  return r;
}

Reply TenantLookup(const Request&, const flows::Principal&, const NoBody&) {
  return core::MakeError(core::Err::kTenantNotFound);
}

Reply SwitchTenant(const Request&, const flows::Principal&, const SwitchTenantDto&) {
  return core::MakeError(core::Err::kTenantSwitchingDisabled);
}

Reply Callback(const Request& req, const flows::Principal&, const NoBody&) {
  Response r;
  r.content_type = "text/html; charset=utf-8";
  r.body = CallbackPage(req);
  return r;
}

}  // namespace

std::vector<RouteEntry> AuxiliaryRoutes(const AuthHandlerDeps&) {
  std::vector<RouteEntry> r;
  r.push_back(MakeRoute<NoBody>(
      {.method = "GET", .path = "/accounts", .exec = Exec::kInline, .body = BodyRead::kNone},
      Accounts));
  r.push_back(MakeRoute<NoBody>(
      {.method = "GET", .path = "/tenants/lookup", .exec = Exec::kInline, .body = BodyRead::kNone},
      TenantLookup));
  // Body, guard, then the DTO, as in the reference.
  r.push_back(MakeRoute<SwitchTenantDto>(
      {.method = "POST", .path = "/switch-tenant", .access = Access::kSessionMfaPending},
      SwitchTenant));
  r.push_back(MakeRoute<NoBody>({.method = "GET",
                                 .path = "/callback/:provider",
                                 .exec = Exec::kInline,
                                 .body = BodyRead::kNone},
                                Callback));
  return r;
}

}  // namespace authd::http
