#include "courier/templates.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>
#include <utility>

namespace authd::courier {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kSubject = ".email.subject";
constexpr std::string_view kEmailBody = ".email.txt";
constexpr std::string_view kSmsBody = ".sms.txt";

// "<name><suffix>": the key of one part, and its override file's name.
std::string Key(std::string_view name, std::string_view suffix) {
  std::string key(name);
  key.append(suffix);
  return key;
}

// ---- the template language --------------------------------------------

struct Token {
  enum class Kind { kText, kVar, kSection, kInverted, kEnd };
  Kind kind = Kind::kText;
  std::string text;     // literal text, or the variable name
  std::size_t end = 0;  // kSection/kInverted: index of the matching kEnd
};

struct Parsed {
  std::vector<Token> tokens;
  std::string error;  // first problem found; empty = well-formed
};

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  return s;
}

void AddText(Parsed& p, std::string_view text) {
  if (text.empty()) return;
  if (!p.tokens.empty() && p.tokens.back().kind == Token::Kind::kText) {
    p.tokens.back().text.append(text);
    return;
  }
  p.tokens.push_back({Token::Kind::kText, std::string(text), 0});
}

void Fail(Parsed& p, std::string message) {
  if (p.error.empty()) p.error = std::move(message);
}

// If the tag at [open, close) is alone on its line (blanks around it),
// returns where that line's removal starts and ends; else {open, close}.
std::pair<std::size_t, std::size_t> StandaloneSpan(std::string_view t, std::size_t text_start,
                                                   std::size_t open, std::size_t close) {
  std::size_t line = open;
  while (line > 0 && t[line - 1] != '\n') --line;
  // A tag earlier on the same line was already consumed: not standalone.
  if (line < text_start) return {open, close};
  for (std::size_t i = line; i < open; ++i) {
    if (!IsBlank(t[i])) return {open, close};
  }
  std::size_t j = close;
  while (j < t.size() && IsBlank(t[j])) ++j;
  if (j == t.size()) return {line, j};
  if (t[j] == '\n') return {line, j + 1};
  if (t[j] == '\r' && j + 1 < t.size() && t[j + 1] == '\n') return {line, j + 2};
  return {open, close};
}

Parsed Parse(std::string_view t) {
  Parsed p;
  std::vector<std::size_t> open_sections;
  std::size_t pos = 0;
  while (pos < t.size()) {
    std::size_t open = t.find("{{", pos);
    if (open == std::string_view::npos) {
      AddText(p, t.substr(pos));
      break;
    }
    std::size_t close = t.find("}}", open + 2);
    if (close == std::string_view::npos) {
      Fail(p, "unterminated \"{{\"");
      AddText(p, t.substr(pos));
      break;
    }
    std::string_view inner = Trim(t.substr(open + 2, close - open - 2));
    close += 2;
    char sigil = inner.empty() ? '\0' : inner.front();
    if (sigil != '#' && sigil != '^' && sigil != '/') {
      AddText(p, t.substr(pos, open - pos));
      if (inner.empty())
        Fail(p, "empty tag \"{{}}\"");
      else
        p.tokens.push_back({Token::Kind::kVar, std::string(inner), 0});
      pos = close;
      continue;
    }
    std::string name(Trim(inner.substr(1)));
    if (name.empty()) Fail(p, "section tag without a name");
    auto [cut_begin, cut_end] = StandaloneSpan(t, pos, open, close);
    AddText(p, t.substr(pos, cut_begin - pos));
    pos = cut_end;
    if (sigil != '/') {
      open_sections.push_back(p.tokens.size());
      p.tokens.push_back(
          {sigil == '#' ? Token::Kind::kSection : Token::Kind::kInverted, std::move(name), 0});
    } else if (open_sections.empty() || p.tokens[open_sections.back()].text != name) {
      Fail(p, "\"{{/" + name + "}}\" closes no open section");
    } else {
      p.tokens[open_sections.back()].end = p.tokens.size();
      p.tokens.push_back({Token::Kind::kEnd, std::move(name), 0});
      open_sections.pop_back();
    }
  }
  while (!open_sections.empty()) {
    Token& section = p.tokens[open_sections.back()];
    Fail(p, "section \"{{#" + section.text + "}}\" is never closed");
    section.end = p.tokens.size();
    p.tokens.push_back({Token::Kind::kEnd, section.text, 0});
    open_sections.pop_back();
  }
  return p;
}

std::string_view Lookup(const std::map<std::string, std::string>& vars, const std::string& name) {
  auto it = vars.find(name);
  return it == vars.end() ? std::string_view() : std::string_view(it->second);
}

// ---- built-in defaults ------------------------------------------------

// The shared e-mail body: `intro` ends with ':' and precedes the code.
std::string EmailBody(std::string_view intro, std::string_view link_intro) {
  std::string s = "Hello,\n\n";
  s.append(intro);
  s.append(
      "\n\n{{code}}\n\n"
      "The code expires in {{expires_in_minutes}} minutes.\n"
      "{{#link}}\n\n");
  s.append(link_intro);
  s.append(
      "\n{{link}}\n"
      "{{/link}}\n"
      "\nIf you did not ask for this, you can ignore this email.\n"
      "\nThe {{app_name}} team\n");
  return s;
}

std::string SmsBody(std::string_view what) {
  std::string s = "{{code}} is your {{app_name}} ";
  s.append(what);
  s.append(" code. It expires in {{expires_in_minutes}} minutes.");
  return s;
}

struct Default {
  std::string name, subject, email_body, sms_body;
};

const std::vector<Default>& Defaults() {
  static const std::vector<Default> kDefaults = {
      {"password_reset", "Your {{app_name}} password reset code",
       EmailBody("Someone asked to reset the password of your {{app_name}} "
                 "account{{#email}} ({{email}}){{/email}}. Your code is:",
                 "You can also reset your password by opening this link:"),
       SmsBody("password reset")},
      {"email_verification", "Verify your {{app_name}} email address",
       EmailBody("Use this code to verify your email address"
                 "{{#email}} {{email}}{{/email}} for {{app_name}}:",
                 "You can also verify it by opening this link:"),
       SmsBody("verification")},
      {"phone_verification", "Your {{app_name}} phone verification code",
       EmailBody("Use this code to verify your phone number"
                 "{{#phone}} {{phone}}{{/phone}} for {{app_name}}:",
                 "You can also verify it by opening this link:"),
       SmsBody("verification")},
      {"mfa_code", "Your {{app_name}} sign-in verification code",
       EmailBody("Use this code to finish signing in to {{app_name}}:",
                 "You can also finish signing in by opening this link:"),
       SmsBody("verification")},
      {"passwordless_code", "Your {{app_name}} sign-in code",
       EmailBody("Use this code to sign in to {{app_name}}:",
                 "You can also sign in by opening this link:"),
       SmsBody("sign-in")},
  };
  return kDefaults;
}

// ---- override files ---------------------------------------------------

core::Error BadFile(const fs::path& file, std::string_view problem) {
  std::string message = "template file ";
  message.append(file.string()).append(": ").append(problem);
  return core::InvalidArgument("", std::move(message));
}

core::Result<std::string> ReadFile(const fs::path& file) {
  std::error_code ec;
  if (!fs::is_regular_file(file, ec)) {
    return BadFile(file, "is not a regular file");
  }
  std::ifstream in(file, std::ios::binary);
  if (!in.is_open()) return BadFile(file, "cannot be read");
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return BadFile(file, "cannot be read");
  return text.str();
}

void StripFinalNewline(std::string& s) {
  if (!s.empty() && s.back() == '\n') s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
}

// Checks and normalises override `text` read from `file` for `part`.
core::Status Prepare(const fs::path& file, std::string_view part, std::string& text) {
  if (part == kSubject) {
    StripFinalNewline(text);
    if (text.find_first_of(std::string_view("\r\n\0", 3)) != std::string::npos) {
      return BadFile(file, "a subject must be a single line");
    }
  } else if (part == kSmsBody) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) {
      text.pop_back();
    }
  }
  Parsed parsed = Parse(text);
  if (!parsed.error.empty()) return BadFile(file, parsed.error);
  return core::Status::Ok();
}

// Line breaks and NULs a variable brought in become one space each run.
std::string OneLine(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  bool in_break = false;
  for (char c : s) {
    bool is_break = c == '\r' || c == '\n' || c == '\0';
    if (is_break && !in_break) out.push_back(' ');
    if (!is_break) out.push_back(c);
    in_break = is_break;
  }
  return out;
}

}  // namespace

std::string RenderTemplate(std::string_view tmpl, const std::map<std::string, std::string>& vars) {
  Parsed parsed = Parse(tmpl);
  const std::vector<Token>& tokens = parsed.tokens;
  std::string out;
  out.reserve(tmpl.size() + 64);
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Token& tok = tokens[i];
    switch (tok.kind) {
      case Token::Kind::kText:
        out.append(tok.text);
        break;
      case Token::Kind::kVar:
        out.append(Lookup(vars, tok.text));
        break;
      case Token::Kind::kSection:
      case Token::Kind::kInverted: {
        bool set = !Lookup(vars, tok.text).empty();
        bool show = tok.kind == Token::Kind::kSection ? set : !set;
        if (!show) i = tok.end;  // skip to the matching kEnd
        break;
      }
      case Token::Kind::kEnd:
        break;
    }
  }
  return out;
}

Templates::Templates() {
  for (const Default& d : Defaults()) {
    parts_[Key(d.name, kSubject)] = d.subject;
    parts_[Key(d.name, kEmailBody)] = d.email_body;
    parts_[Key(d.name, kSmsBody)] = d.sms_body;
  }
}

const std::vector<std::string>& Templates::Names() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const Default& d : Defaults()) names.push_back(d.name);
    return names;
  }();
  return kNames;
}

core::Result<Templates> Templates::Load(const std::string& dir) {
  Templates t;
  if (dir.empty()) return t;
  std::error_code ec;
  fs::directory_iterator probe(dir, ec);  // fails if missing or unreadable
  if (ec) {
    return core::InvalidArgument("",
                                 "templates directory " + dir + " cannot be read: " + ec.message());
  }
  for (const std::string& name : Names()) {
    for (std::string_view part : {kSubject, kEmailBody, kSmsBody}) {
      std::string key = Key(name, part);
      fs::path file = fs::path(dir) / key;
      // A broken symlink exists here and fails in ReadFile, as it should.
      if (!fs::exists(fs::symlink_status(file, ec))) continue;
      core::Result<std::string> text = ReadFile(file);
      if (!text.ok()) return text.error();
      if (core::Status s = Prepare(file, part, *text); !s.ok()) return s;
      t.parts_[key] = std::move(*text);
    }
  }
  return t;
}

Templates::Rendered Templates::Render(std::string_view name, Channel ch,
                                      const std::map<std::string, std::string>& vars) const {
  Rendered r;
  auto part = [&](std::string_view suffix) -> std::string_view {
    auto it = parts_.find(Key(name, suffix));
    return it == parts_.end() ? std::string_view() : std::string_view(it->second);
  };
  switch (ch) {
    case Channel::kEmail:
      r.subject = OneLine(RenderTemplate(part(kSubject), vars));
      r.body = RenderTemplate(part(kEmailBody), vars);
      break;
    case Channel::kSms:
      r.body = RenderTemplate(part(kSmsBody), vars);
      break;
    case Channel::kWebhook:
      break;
  }
  return r;
}

}  // namespace authd::courier
