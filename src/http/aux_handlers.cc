// Auxiliary routes of the auth controller whose behaviour in authd's
// current feature set is fixed: multi-account listing, tenant lookup and
// switching while tenancy is disabled, and the OAuth popup callback page.
#include <string>

#include <boost/json.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse_query.hpp>

#include "core/errors.h"
#include "http/auth_handlers.h"
#include "http/guard.h"
#include "http/handler_util.h"
#include "http/request_body.h"
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
    if (c == '<') safe += "\\u003c";
    else if (c == '>') safe += "\\u003e";
    else safe += c;
  }
  return "<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Signing in"
         "</title></head><body><script>(function(){var data=" + safe +
         ";var msg=Object.assign({type:'nest-auth-sso-callback'},data);"
         "if(window.opener){window.opener.postMessage(msg,'*');window.close();}"
         "else if(window.parent&&window.parent!==window){window.parent."
         "postMessage(msg,'*');}else{document.body.textContent=data.success?"
         "'Success! You can close this window.':'Error: '+(data.errorDescription"
         "||data.error);}})();</script></body></html>";
}

}  // namespace

void RegisterAuxiliaryRoutes(Router& router, const AuthHandlerDeps& deps) {
  const std::string base = BasePath(deps.transport.options());
  router.Add("GET", base + "/accounts", Exec::kInline, [](const Request&) {
    Response r;
    r.body = R"({"accounts":[]})";  // multi-account cookies are not enabled
    return r;
  });
  router.Add("GET", base + "/tenants/lookup", Exec::kInline, [](const Request& req) {
    return Fail(req, core::MakeError(core::Err::kTenantNotFound));
  });
  router.Add("POST", base + "/switch-tenant", Exec::kBlocking, [deps](const Request& req) {
    // Body, guard, then the DTO (tenantId: IsUUID), as in the reference.
    auto parsed = ParseJsonBody(req);
    if (auto* err = std::get_if<Response>(&parsed)) return std::move(*err);
    auto p = Authenticate(req, deps.transport, deps.sessions, /*skip_mfa=*/true);
    if (!p.ok()) return Fail(req, p.error());
    std::optional<std::string> type_error;
    auto tenant = CoercedStringField(std::get<json::object>(parsed), "tenantId", &type_error);
    if (type_error || !tenant || !IsUuid(*tenant)) {
      return Fail(req, Validation(CheckMessage(Check::kIsUuid, "tenantId")));
    }
    return Fail(req, core::MakeError(core::Err::kTenantSwitchingDisabled));
  });
  router.AddParam("GET", base + "/callback/", Exec::kInline, [](const Request& req) {
    Response r;
    r.content_type = "text/html; charset=utf-8";
    r.body = CallbackPage(req);
    return r;
  });
}

}  // namespace authd::http
