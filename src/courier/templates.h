// Templates: the subject and body of every message the courier renders,
// by template name and channel, with built-in defaults an operator may
// override file by file.
//
// Names: "password_reset", "email_verification", "phone_verification",
// "mfa_code", "passwordless_code". Each has an e-mail subject, an e-mail
// text body and an SMS body.
//
// Syntax (a small Mustache subset, no HTML escaping: everything is text):
//   {{name}}               the variable, or "" when unset
//   {{#name}}...{{/name}}  the inner part, only when the variable is non-empty
//   {{^name}}...{{/name}}  the inner part, only when it is empty
// A section tag alone on its line takes the whole line with it, so
//   "{{#link}}\nOpen {{link}}\n{{/link}}\n" renders "" or "Open <link>\n".
// Variables the defaults use: app_name, code, expires_in_minutes, link
// (may be empty), email, phone.
//
// Value type; immutable after Load, so Render is safe to call concurrently.
#ifndef AUTHD_COURIER_TEMPLATES_H_
#define AUTHD_COURIER_TEMPLATES_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/status.h"
#include "courier/message.h"

namespace authd::courier {

class Templates {
 public:
  struct Rendered {
    std::string subject;  // e-mail only; "" for SMS
    std::string body;
  };

  // The built-in defaults only.
  Templates();

  // The defaults, each replaced by its override file in `dir` if present:
  //   <dir>/<name>.email.subject   one line (a final newline is dropped)
  //   <dir>/<name>.email.txt       the e-mail text body, verbatim
  //   <dir>/<name>.sms.txt         the SMS body (final newlines dropped)
  // An empty `dir` means defaults only; other files in `dir` are ignored.
  // Errors (kInvalidArgument, naming the file): `dir` missing or
  // unreadable, an override unreadable, a subject with CR/LF/NUL inside,
  // an unbalanced or malformed section tag.
  static core::Result<Templates> Load(const std::string& dir);

  // Renders template `name` for `ch` (kEmail or kSms; kWebhook renders
  // nothing). An unknown name renders empty strings. Line breaks a
  // variable brings into the subject are replaced by spaces, so the
  // subject is always one header-safe line.
  Rendered Render(std::string_view name, Channel ch,
                  const std::map<std::string, std::string>& vars) const;

  // The template names known to Load and Render, in a fixed order.
  static const std::vector<std::string>& Names();

 private:
  // "<name>.email.subject" / "<name>.email.txt" / "<name>.sms.txt" ->
  // template text, already checked to be well-formed.
  std::map<std::string, std::string, std::less<>> parts_;
};

// Renders one template string with `vars`, the syntax above. Lenient, as
// Load has rejected malformed overrides: a stray closing tag renders as
// nothing, an unclosed section runs to the end, an unterminated "{{" is text.
std::string RenderTemplate(std::string_view tmpl, const std::map<std::string, std::string>& vars);

}  // namespace authd::courier

#endif  // AUTHD_COURIER_TEMPLATES_H_
