#include "courier/templates.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <string>

namespace authd::courier {
namespace {

namespace fs = std::filesystem;
using Vars = std::map<std::string, std::string>;

Vars CodeVars() {
  return {{"app_name", "Acme"},
          {"code", "123456"},
          {"expires_in_minutes", "15"},
          {"email", "ada@example.com"}};
}

// A fresh directory under the system temp dir, removed at the end.
class TempDir {
 public:
  TempDir() {
    std::string leaf = "authd_templates_test_";
    leaf.append(std::to_string(::getpid())).append("_").append(std::to_string(counter_++));
    path_ = fs::temp_directory_path() / leaf;
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(path_ / name, std::ios::binary) << text;
  }

 private:
  static inline int counter_ = 0;
  fs::path path_;
};

TEST(RenderTemplate, SubstitutesVariablesAndTrimsTagSpaces) {
  EXPECT_EQ(RenderTemplate("{{code}} for {{ app_name }}.", CodeVars()), "123456 for Acme.");
}

TEST(RenderTemplate, UnknownVariableRendersEmpty) {
  EXPECT_EQ(RenderTemplate("[{{nope}}]", CodeVars()), "[]");
}

TEST(RenderTemplate, SectionShownOnlyWhenNonEmpty) {
  const std::string t = "a{{#link}} <{{link}}>{{/link}}{{^link}} none{{/link}}";
  EXPECT_EQ(RenderTemplate(t, {{"link", "https://x/y"}}), "a <https://x/y>");
  EXPECT_EQ(RenderTemplate(t, {{"link", ""}}), "a none");
  EXPECT_EQ(RenderTemplate(t, {}), "a none");
}

TEST(RenderTemplate, StandaloneSectionLinesVanish) {
  const std::string t = "top\n{{#link}}\nopen {{link}}\n  {{/link}}  \nend\n";
  EXPECT_EQ(RenderTemplate(t, {{"link", "L"}}), "top\nopen L\nend\n");
  EXPECT_EQ(RenderTemplate(t, {}), "top\nend\n");
}

TEST(RenderTemplate, NestedSections) {
  const std::string t = "{{#a}}A{{#b}}B{{/b}}{{/a}}.";
  EXPECT_EQ(RenderTemplate(t, {{"a", "1"}, {"b", "1"}}), "AB.");
  EXPECT_EQ(RenderTemplate(t, {{"a", "1"}}), "A.");
  EXPECT_EQ(RenderTemplate(t, {{"b", "1"}}), ".");
}

TEST(RenderTemplate, MalformedTemplatesRenderLeniently) {
  EXPECT_EQ(RenderTemplate("x {{code", CodeVars()), "x {{code");
  EXPECT_EQ(RenderTemplate("x{{/a}}y", {}), "xy");
  EXPECT_EQ(RenderTemplate("x{{#a}}y", {{"a", "1"}}), "xy");
  EXPECT_EQ(RenderTemplate("x{{#a}}y", {}), "x");
}

TEST(Templates, EveryDefaultHasCodeAndAppName) {
  Templates t;
  ASSERT_EQ(Templates::Names().size(), 5u);
  for (const std::string& name : Templates::Names()) {
    SCOPED_TRACE(name);
    Templates::Rendered email = t.Render(name, Channel::kEmail, CodeVars());
    EXPECT_NE(email.subject.find("Acme"), std::string::npos);
    EXPECT_EQ(email.subject.find('\n'), std::string::npos);
    EXPECT_NE(email.body.find("\n123456\n"), std::string::npos);  // own line
    EXPECT_NE(email.body.find("Acme"), std::string::npos);
    EXPECT_NE(email.body.find("expires in 15 minutes"), std::string::npos);
    EXPECT_NE(email.body.find("If you did not ask for this, you can ignore "
                              "this email."),
              std::string::npos);
    EXPECT_EQ(email.body.find("{{"), std::string::npos);

    Templates::Rendered sms = t.Render(name, Channel::kSms, CodeVars());
    EXPECT_EQ(sms.subject, "");
    EXPECT_EQ(sms.body.rfind("123456 is your Acme ", 0), 0u) << sms.body;
    EXPECT_NE(sms.body.find("It expires in 15 minutes."), std::string::npos);
    EXPECT_LE(sms.body.size(), 160u);
  }
}

TEST(Templates, DefaultPasswordResetReadsWell) {
  Templates t;
  Templates::Rendered r = t.Render("password_reset", Channel::kEmail, CodeVars());
  EXPECT_EQ(r.subject, "Your Acme password reset code");
  EXPECT_EQ(r.body,
            "Hello,\n\n"
            "Someone asked to reset the password of your Acme account "
            "(ada@example.com). Your code is:\n\n"
            "123456\n\n"
            "The code expires in 15 minutes.\n\n"
            "If you did not ask for this, you can ignore this email.\n\n"
            "The Acme team\n");
  EXPECT_EQ(t.Render("mfa_code", Channel::kSms, CodeVars()).body,
            "123456 is your Acme verification code. It expires in 15 minutes.");
}

TEST(Templates, LinkLineOnlyWhenLinkSet) {
  Templates t;
  Vars vars = CodeVars();
  vars["link"] = "https://acme.test/reset?c=1";
  Templates::Rendered with = t.Render("password_reset", Channel::kEmail, vars);
  EXPECT_NE(with.body.find("opening this link:\nhttps://acme.test/reset?c=1\n\n"
                           "If you did not"),
            std::string::npos)
      << with.body;
  Templates::Rendered without = t.Render("password_reset", Channel::kEmail, CodeVars());
  EXPECT_EQ(without.body.find("link"), std::string::npos) << without.body;
}

TEST(Templates, UnknownNameAndWebhookChannelRenderEmpty) {
  Templates t;
  Templates::Rendered r = t.Render("nope", Channel::kEmail, CodeVars());
  EXPECT_EQ(r.subject, "");
  EXPECT_EQ(r.body, "");
  EXPECT_EQ(t.Render("mfa_code", Channel::kWebhook, CodeVars()).body, "");
}

TEST(Templates, SubjectNeverCarriesLineBreaksFromVariables) {
  Templates t;
  Vars vars = CodeVars();
  vars["app_name"] = "Ac\r\nBcc: x@evil.test\nme";
  Templates::Rendered r = t.Render("mfa_code", Channel::kEmail, vars);
  EXPECT_EQ(r.subject.find_first_of("\r\n"), std::string::npos);
  EXPECT_EQ(r.subject, "Your Ac Bcc: x@evil.test me sign-in verification code");
}

TEST(TemplatesLoad, EmptyDirMeansDefaults) {
  core::Result<Templates> t = Templates::Load("");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->Render("password_reset", Channel::kEmail, CodeVars()).subject,
            "Your Acme password reset code");
}

TEST(TemplatesLoad, OverrideFilesWin) {
  TempDir dir;
  dir.Write("password_reset.email.subject", "Reset for {{app_name}}\n");
  dir.Write("password_reset.email.txt", "Code: {{code}}\n");
  dir.Write("mfa_code.sms.txt", "{{app_name}}: {{code}}\n\n");
  dir.Write("README.md", "{{#unbalanced");  // unknown files are ignored
  dir.Write("other.email.subject", "two\nlines");
  core::Result<Templates> t = Templates::Load(dir.path().string());
  ASSERT_TRUE(t.ok()) << t.error().message;

  Templates::Rendered r = t->Render("password_reset", Channel::kEmail, CodeVars());
  EXPECT_EQ(r.subject, "Reset for Acme");
  EXPECT_EQ(r.body, "Code: 123456\n");
  EXPECT_EQ(t->Render("mfa_code", Channel::kSms, CodeVars()).body, "Acme: 123456");
  // Parts without an override keep their defaults.
  EXPECT_EQ(t->Render("mfa_code", Channel::kEmail, CodeVars()).subject,
            "Your Acme sign-in verification code");
  EXPECT_EQ(t->Render("password_reset", Channel::kSms, CodeVars()).body,
            "123456 is your Acme password reset code. It expires in 15 minutes.");
}

TEST(TemplatesLoad, CrlfEndingOfSubjectIsStripped) {
  TempDir dir;
  dir.Write("mfa_code.email.subject", "Code {{code}}\r\n");
  core::Result<Templates> t = Templates::Load(dir.path().string());
  ASSERT_TRUE(t.ok()) << t.error().message;
  EXPECT_EQ(t->Render("mfa_code", Channel::kEmail, CodeVars()).subject, "Code 123456");
}

TEST(TemplatesLoad, MultiLineSubjectIsRejectedNamingTheFile) {
  for (const std::string& bad :
       {std::string("a\nb"), std::string("a\rb\n"), std::string("a\n\n"), std::string("a\0b", 3)}) {
    TempDir dir;
    dir.Write("email_verification.email.subject", bad);
    core::Result<Templates> t = Templates::Load(dir.path().string());
    ASSERT_FALSE(t.ok());
    EXPECT_EQ(t.error().category, core::ErrorCategory::kInvalidArgument);
    EXPECT_NE(t.error().message.find("email_verification.email.subject"), std::string::npos)
        << t.error().message;
  }
}

TEST(TemplatesLoad, MalformedSectionIsRejected) {
  TempDir dir;
  dir.Write("passwordless_code.email.txt", "{{#link}}open {{link}}\n");
  core::Result<Templates> t = Templates::Load(dir.path().string());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("passwordless_code.email.txt"), std::string::npos);
  EXPECT_NE(t.error().message.find("never closed"), std::string::npos);
}

TEST(TemplatesLoad, MissingDirIsAnError) {
  TempDir dir;
  core::Result<Templates> t = Templates::Load((dir.path() / "does-not-exist").string());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("does-not-exist"), std::string::npos);
}

TEST(TemplatesLoad, OverrideThatIsADirectoryIsAnError) {
  TempDir dir;
  fs::create_directory(dir.path() / "mfa_code.sms.txt");
  core::Result<Templates> t = Templates::Load(dir.path().string());
  ASSERT_FALSE(t.ok());
  EXPECT_NE(t.error().message.find("mfa_code.sms.txt"), std::string::npos);
}

}  // namespace
}  // namespace authd::courier
