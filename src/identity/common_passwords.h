// The set of passwords the policy rejects as too common.
#ifndef AUTHD_IDENTITY_COMMON_PASSWORDS_H_
#define AUTHD_IDENTITY_COMMON_PASSWORDS_H_

#include <string_view>
#include <unordered_set>

namespace authd::identity {

// Lower-case entries; never null, lives for the whole program.
const std::unordered_set<std::string_view>& CommonPasswords();

}  // namespace authd::identity

#endif  // AUTHD_IDENTITY_COMMON_PASSWORDS_H_
