// JsonWriter: writes JSON text without a JSON library, for the few
// documents the domain builds itself (event payloads, reset-token claims).
// Strings are escaped per RFC 8259; bytes that are not valid UTF-8 become
// U+FFFD, so the output is always valid JSON. The caller nests Begin/End
// correctly (checked only in debug builds).
#ifndef AUTHD_CORE_JSON_TEXT_H_
#define AUTHD_CORE_JSON_TEXT_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace authd::core {

// Appends `s` as a quoted, escaped JSON string.
void AppendJsonString(std::string& out, std::string_view s);

class JsonWriter {
 public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  JsonWriter& Key(std::string_view k);
  JsonWriter& String(std::string_view v);
  JsonWriter& Int(std::int64_t v);
  JsonWriter& Bool(bool v);
  JsonWriter& Null();
  // Inserts `json`, which must be one complete JSON value.
  JsonWriter& Raw(std::string_view json);

  const std::string& str() const { return out_; }
  std::string Take() { return std::move(out_); }

 private:
  void BeforeValue();

  std::string out_;
  std::vector<bool> first_;  // per open container: no member written yet
  bool after_key_ = false;
};

}  // namespace authd::core

#endif  // AUTHD_CORE_JSON_TEXT_H_
