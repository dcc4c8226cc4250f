// Load(): defaults < TOML file < environment < flags, then cross-option
// checks. Every source goes through ApplyValue, so all errors look alike.
#include "config/config.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "config/option_table.h"
#include "config/sources.h"

namespace authd::config {
namespace {

using internal::Option;
using internal::Origins;

enum class Special { kNone, kHelp, kVersion };

struct FlagValue {
  const Option* opt = nullptr;
  bool alias = false;
  std::string source;  // "flag --port"
  std::string value;
};

struct Args {
  Special special = Special::kNone;
  std::optional<std::string> config_path;
  std::vector<FlagValue> values;
  std::optional<core::Error> error;  // the first problem found
};

// Built piecewise: `"\"" + std::string(text) + "\""` trips GCC 12's
// -Wrestrict false positive at -O3.
std::string Quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  out += text;
  out += '"';
  return out;
}

std::string UnknownFlagMessage(const std::string& name) {
  std::vector<std::string> names = {"config", "help", "version"};
  for (const Option& opt : internal::Options()) {
    names.push_back(opt.Flag().substr(2));
    names.insert(names.end(), opt.alias_flags.begin(), opt.alias_flags.end());
  }
  const std::string hint = internal::Suggest(name, names);
  return "unknown flag --" + name + (hint.empty() ? "" : " (did you mean --" + hint + "?)") +
         "; see --help";
}

// Splits argv into flag values. --help / --version win over any error, so
// `authd --typo --help` still prints help. A flag's value is the text after
// '=' or the next argument unless that starts with "--".
Args ParseArgs(int argc, const char* const* argv) {
  Args args;
  auto fail = [&args](std::string message) {
    if (!args.error) args.error = core::InvalidArgument("", std::move(message));
  };
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "-h" || arg == "--help") return {Special::kHelp, {}, {}, {}};
    if (arg == "--version") return {Special::kVersion, {}, {}, {}};
    if (!arg.starts_with("--") || arg.size() == 2) {
      fail("unexpected argument " + Quoted(arg) +
           "; options are --name VALUE or --name=VALUE (see --help)");
      continue;
    }
    std::string name(arg.substr(2));
    std::optional<std::string> value;
    if (const size_t eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name.resize(eq);
    } else if (i + 1 < argc && !std::string_view(argv[i + 1]).starts_with("--")) {
      value = argv[++i];
    }
    bool alias = false;
    const Option* opt = internal::FindByFlag(name, &alias);
    if (name == "help" || name == "version") {
      fail("flag --" + name + " takes no value");
    } else if (opt == nullptr && name != "config") {
      fail(UnknownFlagMessage(name));
    } else if (!value) {
      fail(fmt::format("flag --{0} needs a value: --{0} VALUE or --{0}=VALUE", name));
    } else if (opt == nullptr) {
      args.config_path = *value;
    } else {
      args.values.push_back({opt, alias, "flag --" + name, *value});
    }
  }
  return args;
}

core::Status ApplyEnv(const std::map<std::string, std::string>& env, Config& config,
                      Origins& origins, std::vector<std::string>& warnings) {
  std::vector<std::string> known = {"AUTHD_CONFIG"};
  for (const Option& opt : internal::Options()) {
    std::vector<std::string> names = opt.alias_envs;  // lowest first
    names.push_back(opt.Env());
    known.push_back(opt.Env());
    for (const std::string& name : names) {
      const auto it = env.find(name);
      if (it == env.end()) continue;
      core::Status s = internal::ApplyValue(opt, internal::ParseText(opt, it->second),
                                            Quoted(it->second), "env " + name, config, origins);
      if (!s.ok()) return s;
    }
  }
  for (const auto& [name, unused] : env) {
    if (!name.starts_with("AUTHD_") || std::find(known.begin(), known.end(), name) != known.end()) {
      continue;
    }
    const std::string hint = internal::Suggest(name, known);
    warnings.push_back("ignoring unknown environment variable " + name +
                       (hint.empty() ? "" : " (did you mean " + hint + "?)"));
  }
  return core::Status::Ok();
}

// Aliases first so that the canonical flag wins whatever the order.
core::Status ApplyFlags(const std::vector<FlagValue>& values, Config& config, Origins& origins) {
  for (bool aliases : {true, false}) {
    for (const FlagValue& f : values) {
      if (f.alias != aliases) continue;
      core::Status s = internal::ApplyValue(*f.opt, internal::ParseText(*f.opt, f.value),
                                            Quoted(f.value), f.source, config, origins);
      if (!s.ok()) return s;
    }
  }
  return core::Status::Ok();
}

// "*" means any origin: browsers refuse it on credentialed requests, and
// reflecting every origin instead would let any site act as the user.
template <typename From>
core::Status CheckCors(const http::CorsOptions& cors, const From& from) {
  const auto& o = cors.allowed_origins;
  if (std::find(o.begin(), o.end(), "*") == o.end()) return core::Status::Ok();
  if (o.size() > 1) {
    return core::InvalidArgument("",
                                 "cors.allowed_origins" + from("cors.allowed_origins") +
                                     " lists * with other origins; * already allows every origin");
  }
  if (cors.allow_credentials) {
    return core::InvalidArgument("",
                                 "cors.allowed_origins = *" + from("cors.allowed_origins") +
                                     " requires cors.allow_credentials = false, but it is true" +
                                     from("cors.allow_credentials") +
                                     ": credentials (cookies) are only allowed for listed origins");
  }
  return core::Status::Ok();
}

// Rules spanning several options; messages say where each value came from.
core::Status CheckCombinations(const Config& c, const Origins& origins) {
  auto from = [&origins](const std::string& key) {
    const auto it = origins.find(key);
    return " (" + (it == origins.end() ? std::string("default") : it->second) + ")";
  };
  if (c.http.cookies.same_site == http::SameSite::kNone && !c.http.cookies.secure) {
    return core::InvalidArgument("", "cookies.same_site = none" + from("cookies.same_site") +
                                         " requires cookies.secure = true, but it is false" +
                                         from("cookies.secure") +
                                         ": browsers reject SameSite=None cookies without Secure");
  }
  core::Status cors = CheckCors(c.http.cors, from);
  if (!cors.ok()) return cors;
  if (c.http.trust_proxy_hops != 1 && (!c.http.trust_proxy || !c.http.trusted_proxies.empty())) {
    return core::InvalidArgument(
        "", "server.trust_proxy_hops" + from("server.trust_proxy_hops") +
                " needs server.trust_proxy = true and no server.trusted_proxies (which "
                "decide the hops themselves)");
  }
  const auto& p = c.password;
  if (p.argon2_memory_kib < 8 * p.argon2_parallelism) {
    return core::InvalidArgument(
        "", "password.argon2_memory_kib = " + std::to_string(p.argon2_memory_kib) +
                from("password.argon2_memory_kib") +
                " must be at least 8 x password.argon2_parallelism = " +
                std::to_string(8 * p.argon2_parallelism) + from("password.argon2_parallelism"));
  }
  const CourierConfig& k = c.courier;
  if ((k.email_transport == "smtp") && k.smtp.url.empty()) {
    return core::InvalidArgument("", "courier.email_transport = smtp" +
                                         from("courier.email_transport") +
                                         " needs smtp.url (smtp://host:587 or smtps://host:465)");
  }
  for (const char* key : {"courier.email_transport", "courier.sms_transport"}) {
    const std::string& t =
        std::string_view(key) == "courier.email_transport" ? k.email_transport : k.sms_transport;
    if (t == "webhook" && k.webhook.url.empty()) {
      return core::InvalidArgument(
          "", std::string(key) + " = webhook" + from(key) + " needs webhook.url");
    }
  }
  if (k.retry_initial_ms > k.retry_max_ms) {
    return core::InvalidArgument("", "courier.retry_initial" + from("courier.retry_initial") +
                                         " exceeds courier.retry_max" + from("courier.retry_max"));
  }
  if (p.min_length > p.max_length) {
    return core::InvalidArgument(
        "", "password.min_length = " + std::to_string(p.min_length) + from("password.min_length") +
                " exceeds password.max_length = " + std::to_string(p.max_length) +
                from("password.max_length"));
  }
  return core::Status::Ok();
}

void AddWarnings(const Config& c, std::vector<std::string>& warnings) {
  if (!c.session.jwt_secret.empty() && c.session.jwt_secret.size() < 32) {
    warnings.push_back(
        "session.jwt_secret is shorter than 32 characters; use at least 32 "
        "random bytes (openssl rand -base64 48)");
  }
  if (!c.events.webhook_urls.empty() && c.events.webhook_secret.empty()) {
    warnings.push_back(
        "events.webhook_urls without events.webhook_secret: event webhooks are "
        "sent unsigned");
  }
  if (c.http.token_mode == http::TokenMode::kCookie && !c.http.csrf.enabled) {
    warnings.push_back(
        "session.access_token_type = cookie without csrf.enabled: "
        "cookie-authenticated requests rely on SameSite alone against CSRF");
  }
}

}  // namespace

namespace internal {

core::Status ApplyValue(const Option& opt, const core::Result<Value>& parsed,
                        std::string_view shown, const std::string& source, Config& config,
                        Origins& origins) {
  core::Status s = parsed.ok() ? opt.set(config, *parsed) : parsed.status();
  if (!s.ok()) {
    std::string message = "invalid value ";
    if (!opt.secret) message += std::string(shown) + " ";
    message += "for " + opt.key + " (" + source + "): " + s.error().message;
    return core::InvalidArgument("", std::move(message));
  }
  origins[opt.key] = source;
  return core::Status::Ok();
}

}  // namespace internal

core::Result<Loaded> Load(int argc, const char* const* argv,
                          const std::map<std::string, std::string>& env) {
  const Args args = ParseArgs(argc, argv);
  Loaded loaded;
  if (args.special != Special::kNone) {
    loaded.outcome = LoadOutcome::kExitSuccess;
    loaded.output = args.special == Special::kHelp
                        ? internal::HelpText()
                        : "authd " + std::string(internal::kVersion) + "\n";
    return loaded;
  }
  if (args.error) return *args.error;

  Config& config = loaded.config;
  Origins origins;
  if (args.config_path) {
    config.config_file = *args.config_path;
  } else if (const auto it = env.find("AUTHD_CONFIG"); it != env.end() && !it->second.empty()) {
    config.config_file = it->second;
  }
  if (args.config_path && args.config_path->empty()) {
    return core::InvalidArgument("", "flag --config needs a file path");
  }
  if (!config.config_file.empty()) {
    core::Status s = internal::ApplyTomlFile(config.config_file, config, origins);
    if (!s.ok()) return s;
  }
  core::Status s = ApplyEnv(env, config, origins, loaded.warnings);
  if (s.ok()) s = ApplyFlags(args.values, config, origins);
  if (s.ok()) s = CheckCombinations(config, origins);
  if (!s.ok()) return s;
  AddWarnings(config, loaded.warnings);
  return loaded;
}

}  // namespace authd::config
