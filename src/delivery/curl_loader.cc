// libcurl, loaded on first use instead of linked.
//
// Linking libcurl makes the dynamic loader map it and its dependencies
// (GnuTLS, Kerberos, LDAP, nghttp2, ...) into every authd process at
// startup, about 5 MiB of resident memory, although the default
// configuration (the log transport) never sends a byte over SMTP or HTTP.
// So authd is not linked against libcurl: this file defines the handful of
// libcurl functions the transports call, each forwarding to the real one
// found with dlopen("libcurl.so.4") the first time any of them is used.
// If the library cannot be loaded they fail the way libcurl fails
// (curl_easy_init returns null, the others CURLE_FAILED_INIT), and
// CurlAvailable() reports why, so the composition root can refuse to start
// with a curl transport configured but no libcurl installed.
#define CURL_DISABLE_TYPECHECK  // the type-checking macros would rename us
#include <curl/curl.h>
#include <dlfcn.h>

#include <cstdarg>
#include <string>

#include "delivery/curl_handle.h"

namespace authd::delivery {
namespace {

struct Api {
  bool ok = false;
  std::string error;
  CURLcode (*global_init)(long) = nullptr;
  CURL* (*easy_init)() = nullptr;
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...) = nullptr;
  CURLcode (*easy_perform)(CURL*) = nullptr;
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...) = nullptr;
  void (*easy_cleanup)(CURL*) = nullptr;
  const char* (*easy_strerror)(CURLcode) = nullptr;
  curl_slist* (*slist_append)(curl_slist*, const char*) = nullptr;
  void (*slist_free_all)(curl_slist*) = nullptr;
};

template <typename Fn>
bool Bind(void* lib, const char* name, Fn& fn, std::string& error) {
  fn = reinterpret_cast<Fn>(dlsym(lib, name));
  if (fn == nullptr && error.empty()) error = std::string("libcurl lacks ") + name;
  return fn != nullptr;
}

const Api& Load() {
  static const Api api = [] {
    Api a;
    void* lib = dlopen("libcurl.so.4", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* why = dlerror();
      a.error = std::string("cannot load libcurl.so.4 (install libcurl4): ") +
                (why ? why : "unknown error");
      return a;
    }
    // Never dlclose'd: the transports live until exit.
    bool ok = Bind(lib, "curl_global_init", a.global_init, a.error);
    ok &= Bind(lib, "curl_easy_init", a.easy_init, a.error);
    ok &= Bind(lib, "curl_easy_setopt", a.easy_setopt, a.error);
    ok &= Bind(lib, "curl_easy_perform", a.easy_perform, a.error);
    ok &= Bind(lib, "curl_easy_getinfo", a.easy_getinfo, a.error);
    ok &= Bind(lib, "curl_easy_cleanup", a.easy_cleanup, a.error);
    ok &= Bind(lib, "curl_easy_strerror", a.easy_strerror, a.error);
    ok &= Bind(lib, "curl_slist_append", a.slist_append, a.error);
    ok &= Bind(lib, "curl_slist_free_all", a.slist_free_all, a.error);
    a.ok = ok;
    return a;
  }();
  return api;
}

}  // namespace

bool CurlAvailable(std::string* error) {
  const Api& a = Load();
  if (!a.ok && error != nullptr) *error = a.error;
  return a.ok;
}

}  // namespace authd::delivery

using authd::delivery::Load;

extern "C" {

CURLcode curl_global_init(long flags) {
  return Load().ok ? Load().global_init(flags) : CURLE_FAILED_INIT;
}

CURL* curl_easy_init(void) { return Load().ok ? Load().easy_init() : nullptr; }

// The one argument after `option` has the type the option's number range
// says (curl.h CURLOPTTYPE_*): long, a pointer (objects and functions) or
// curl_off_t.
CURLcode curl_easy_setopt(CURL* h, CURLoption option, ...) {
  if (!Load().ok) return CURLE_FAILED_INIT;
  va_list ap;
  va_start(ap, option);
  CURLcode rc;
  // The branches differ only in va_arg's type, which bugprone-branch-clone
  // does not compare.
  if (option < CURLOPTTYPE_OBJECTPOINT) {  // NOLINT(bugprone-branch-clone)
    rc = Load().easy_setopt(h, option, va_arg(ap, long));
  } else if (option >= CURLOPTTYPE_OFF_T && option < CURLOPTTYPE_BLOB) {
    rc = Load().easy_setopt(h, option, va_arg(ap, curl_off_t));
  } else {
    rc = Load().easy_setopt(h, option, va_arg(ap, void*));
  }
  va_end(ap);
  return rc;
}

CURLcode curl_easy_perform(CURL* h) {
  return Load().ok ? Load().easy_perform(h) : CURLE_FAILED_INIT;
}

// Every CURLINFO takes one pointer to where the value goes.
CURLcode curl_easy_getinfo(CURL* h, CURLINFO info, ...) {
  if (!Load().ok) return CURLE_FAILED_INIT;
  va_list ap;
  va_start(ap, info);
  void* out = va_arg(ap, void*);
  va_end(ap);
  return Load().easy_getinfo(h, info, out);
}

void curl_easy_cleanup(CURL* h) {
  if (Load().ok) Load().easy_cleanup(h);
}

const char* curl_easy_strerror(CURLcode rc) {
  return Load().ok ? Load().easy_strerror(rc) : "libcurl is not available";
}

curl_slist* curl_slist_append(curl_slist* list, const char* item) {
  return Load().ok ? Load().slist_append(list, item) : nullptr;
}

void curl_slist_free_all(curl_slist* list) {
  if (Load().ok) Load().slist_free_all(list);
}

}  // extern "C"
