#include "config/option_table.h"

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

namespace authd::config::internal {
namespace {

std::vector<Option> BuildOptions() {
  std::vector<Option> out;
  AppendServerOptions(out);
  AppendCorsOptions(out);
  AppendSecurityOptions(out);
  AppendCourierOptions(out);
  AppendMfaOptions(out);
  // Defaults are whatever the options structs say, so the help text and the
  // docs cannot disagree with the code.
  const Config defaults;
  for (Option& opt : out) {
    opt.default_text = FormatValue(opt, opt.get(defaults));
  }
  return out;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string Option::Section() const { return key.substr(0, key.find('.')); }

std::string Option::Flag() const {
  std::string flag = "--" + key;
  std::replace(flag.begin(), flag.end(), '.', '-');
  std::replace(flag.begin(), flag.end(), '_', '-');
  return flag;
}

std::string Option::Env() const {
  std::string env = "AUTHD_" + key;
  std::replace(env.begin(), env.end(), '.', '_');
  for (char& c : env) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return env;
}

const std::vector<Option>& Options() {
  static const std::vector<Option> kOptions = BuildOptions();
  return kOptions;
}

const std::vector<SectionInfo>& Sections() {
  static const std::vector<SectionInfo> kSections = {
      {"app", "application identity"},
      {"server", "HTTP listener, worker pools, limits and routes"},
      {"storage", "where authd keeps its data"},
      {"session",
       "JWT signing, token transport, lifetimes and session "
       "limits"},
      {"cookies", "attributes of the token and CSRF cookies"},
      {"csrf",
       "double-submit CSRF protection for cookie-authenticated "
       "requests"},
      {"cors", "cross-origin requests from browser apps on other origins"},
      {"password", "argon2id cost and password policy"},
      {"lockout", "temporary lock of an identifier+IP after failed logins"},
      {"rate_limit", "fixed-window request limits on sensitive routes"},
      {"auth", "which identities and flows are enabled"},
      {"otp", "one-time codes sent by e-mail or SMS"},
      {"courier", "delivery of e-mails and SMS through the durable outbox"},
      {"smtp", "the SMTP server used when courier.email_transport = smtp"},
      {"webhook", "the HTTP endpoint used when a courier transport is webhook"},
      {"events", "lifecycle events sent as signed webhooks"},
      {"mfa", "multi-factor authentication"},
      {"log", "logging"},
  };
  return kSections;
}

const Option* FindByKey(std::string_view key) {
  for (const Option& opt : Options()) {
    if (opt.key == key) return &opt;
  }
  return nullptr;
}

const Option* FindByFlag(std::string_view name, bool* is_alias) {
  for (const Option& opt : Options()) {
    if (std::string_view(opt.Flag()).substr(2) == name) {
      *is_alias = false;
      return &opt;
    }
    for (const std::string& alias : opt.alias_flags) {
      if (alias == name) {
        *is_alias = true;
        return &opt;
      }
    }
  }
  return nullptr;
}

std::string Suggest(std::string_view name, const std::vector<std::string>& candidates) {
  std::string best;
  size_t best_distance = name.size() > 12 ? 4 : 3;  // allowed: < this
  for (const std::string& candidate : candidates) {
    const size_t d = EditDistance(name, candidate);
    if (d < best_distance) {
      best_distance = d;
      best = candidate;
    }
  }
  return best;
}

}  // namespace authd::config::internal
