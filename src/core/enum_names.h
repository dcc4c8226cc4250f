// The names of an enum's values as they are written in the database, the
// config or on the wire, in one table per enum: both directions (value to
// name, name to value) read the same table, so a value and its name are
// written once. The tables hold a handful of entries; lookups scan.
#ifndef AUTHD_CORE_ENUM_NAMES_H_
#define AUTHD_CORE_ENUM_NAMES_H_

#include <cstddef>
#include <optional>
#include <string_view>

namespace authd::core {

template <typename E>
struct EnumName {
  E value;
  const char* name;
};

// The name of `value`; "?" for a value the table lacks (an enum cast from a
// bad integer).
template <typename E, std::size_t N>
const char* NameIn(const EnumName<E> (&table)[N], E value) {
  for (const EnumName<E>& e : table) {
    if (e.value == value) return e.name;
  }
  return "?";
}

// The value named `name` exactly (case-sensitive); nullopt for any other text.
template <typename E, std::size_t N>
std::optional<E> ValueIn(const EnumName<E> (&table)[N], std::string_view name) {
  for (const EnumName<E>& e : table) {
    if (name == e.name) return e.value;
  }
  return std::nullopt;
}

}  // namespace authd::core

#endif  // AUTHD_CORE_ENUM_NAMES_H_
