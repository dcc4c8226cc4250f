// RAII owners of libcurl handles, and the once-per-process global init the
// transports share. libcurl requires curl_global_init before any other
// call and not concurrently with one; NewCurlEasy guarantees the first.
// Thread-safety: each easy handle belongs to one Send call; the init runs
// exactly once (std::call_once).
#ifndef AUTHD_DELIVERY_CURL_HANDLE_H_
#define AUTHD_DELIVERY_CURL_HANDLE_H_

#include <curl/curl.h>

#include <memory>
#include <string>
#include <string_view>

namespace authd::delivery {

struct CurlEasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
using CurlEasy = std::unique_ptr<CURL, CurlEasyDeleter>;

struct CurlSlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using CurlSlist = std::unique_ptr<curl_slist, CurlSlistDeleter>;

// Whether libcurl could be loaded (curl_loader.cc: authd loads it on first
// use rather than linking it); if not, `error` (if given) says why.
bool CurlAvailable(std::string* error = nullptr);

// curl_global_init(CURL_GLOBAL_DEFAULT), once. Called by the factories of
// the curl transports, so before any of their threads exist.
void EnsureCurlGlobalInit();

// A new easy handle (after EnsureCurlGlobalInit); null if curl cannot
// allocate one.
CurlEasy NewCurlEasy();

// Appends `item` to `list`; false (list unchanged) on allocation failure.
bool SlistAppend(CurlSlist& list, const std::string& item);

// "<what>: <curl_easy_strerror>[: <error buffer>][ (reply N)]": the debug
// text of a failed transfer. Never includes the URL or credentials.
std::string CurlErrorText(std::string_view what, CURLcode rc, const char* error_buffer, long reply);

}  // namespace authd::delivery

#endif  // AUTHD_DELIVERY_CURL_HANDLE_H_
