// libpq, loaded on first use instead of linked.
//
// Linking libpq makes the dynamic loader map it and its dependencies
// (Kerberos, LDAP, SASL, GnuTLS, ...) into every authd process at startup:
// about 5 MiB of resident memory and 10 ms of startup, although the
// default deployment (SQLite) never talks to PostgreSQL. So authd is not
// linked against libpq: this file defines the libpq functions the adapter
// calls, each forwarding to the real one found with dlopen("libpq.so.5")
// the first time one is used. If the library cannot be loaded,
// PQconnectdbParams returns null (no connection ever exists, so the other
// functions are never reached) and PqAvailable() says why.
#include <dlfcn.h>
#include <libpq-fe.h>

#include <string>

#include "store/postgres/pg_connection.h"

namespace authd::store::postgres {
namespace {

struct Api {
  bool ok = false;
  std::string error;
  decltype(&::PQconnectdbParams) connectdb_params = nullptr;
  decltype(&::PQstatus) status = nullptr;
  decltype(&::PQerrorMessage) error_message = nullptr;
  decltype(&::PQfinish) finish = nullptr;
  decltype(&::PQtransactionStatus) transaction_status = nullptr;
  decltype(&::PQprepare) prepare = nullptr;
  decltype(&::PQexecPrepared) exec_prepared = nullptr;
  decltype(&::PQexec) exec = nullptr;
  decltype(&::PQresultStatus) result_status = nullptr;
  decltype(&::PQresultErrorField) result_error_field = nullptr;
  decltype(&::PQresultErrorMessage) result_error_message = nullptr;
  decltype(&::PQclear) clear = nullptr;
  decltype(&::PQntuples) ntuples = nullptr;
  decltype(&::PQcmdTuples) cmd_tuples = nullptr;
  decltype(&::PQcmdStatus) cmd_status = nullptr;
  decltype(&::PQgetisnull) getisnull = nullptr;
  decltype(&::PQgetvalue) getvalue = nullptr;
  decltype(&::PQgetlength) getlength = nullptr;
  decltype(&::PQsocket) socket = nullptr;
  decltype(&::PQconsumeInput) consume_input = nullptr;
  decltype(&::PQnotifies) notifies = nullptr;
  decltype(&::PQfreemem) freemem = nullptr;
};

template <typename Fn>
bool Bind(void* lib, const char* name, Fn& fn, std::string& error) {
  fn = reinterpret_cast<Fn>(dlsym(lib, name));
  if (fn == nullptr && error.empty()) error = std::string("libpq lacks ") + name;
  return fn != nullptr;
}

const Api& Load() {
  static const Api api = [] {
    Api a;
    void* lib = dlopen("libpq.so.5", RTLD_NOW | RTLD_LOCAL);
    if (lib == nullptr) {
      const char* why = dlerror();
      a.error =
          std::string("cannot load libpq.so.5 (install libpq5): ") + (why ? why : "unknown error");
      return a;
    }
    // Never dlclose'd: connections live until exit.
    bool ok = Bind(lib, "PQconnectdbParams", a.connectdb_params, a.error);
    ok &= Bind(lib, "PQstatus", a.status, a.error);
    ok &= Bind(lib, "PQerrorMessage", a.error_message, a.error);
    ok &= Bind(lib, "PQfinish", a.finish, a.error);
    ok &= Bind(lib, "PQtransactionStatus", a.transaction_status, a.error);
    ok &= Bind(lib, "PQprepare", a.prepare, a.error);
    ok &= Bind(lib, "PQexecPrepared", a.exec_prepared, a.error);
    ok &= Bind(lib, "PQexec", a.exec, a.error);
    ok &= Bind(lib, "PQresultStatus", a.result_status, a.error);
    ok &= Bind(lib, "PQresultErrorField", a.result_error_field, a.error);
    ok &= Bind(lib, "PQresultErrorMessage", a.result_error_message, a.error);
    ok &= Bind(lib, "PQclear", a.clear, a.error);
    ok &= Bind(lib, "PQntuples", a.ntuples, a.error);
    ok &= Bind(lib, "PQcmdTuples", a.cmd_tuples, a.error);
    ok &= Bind(lib, "PQcmdStatus", a.cmd_status, a.error);
    ok &= Bind(lib, "PQgetisnull", a.getisnull, a.error);
    ok &= Bind(lib, "PQgetvalue", a.getvalue, a.error);
    ok &= Bind(lib, "PQgetlength", a.getlength, a.error);
    ok &= Bind(lib, "PQsocket", a.socket, a.error);
    ok &= Bind(lib, "PQconsumeInput", a.consume_input, a.error);
    ok &= Bind(lib, "PQnotifies", a.notifies, a.error);
    ok &= Bind(lib, "PQfreemem", a.freemem, a.error);
    a.ok = ok;
    return a;
  }();
  return api;
}

}  // namespace

bool PqAvailable(std::string* error) {
  const Api& a = Load();
  if (!a.ok && error != nullptr) *error = a.error;
  return a.ok;
}

}  // namespace authd::store::postgres

using authd::store::postgres::Load;

// Only PQconnectdbParams can be reached without the library (it returns
// null); every other function takes a connection or result it made.
extern "C" {

PGconn* PQconnectdbParams(const char* const* keywords, const char* const* values,
                          int expand_dbname) {
  return Load().ok ? Load().connectdb_params(keywords, values, expand_dbname) : nullptr;
}
ConnStatusType PQstatus(const PGconn* c) { return Load().status(c); }
char* PQerrorMessage(const PGconn* c) { return Load().error_message(c); }
void PQfinish(PGconn* c) { Load().finish(c); }
PGTransactionStatusType PQtransactionStatus(const PGconn* c) {
  return Load().transaction_status(c);
}
PGresult* PQprepare(PGconn* c, const char* name, const char* query, int n, const Oid* types) {
  return Load().prepare(c, name, query, n, types);
}
PGresult* PQexecPrepared(PGconn* c, const char* name, int n, const char* const* values,
                         const int* lengths, const int* formats, int result_format) {
  return Load().exec_prepared(c, name, n, values, lengths, formats, result_format);
}
PGresult* PQexec(PGconn* c, const char* query) { return Load().exec(c, query); }
ExecStatusType PQresultStatus(const PGresult* r) { return Load().result_status(r); }
char* PQresultErrorField(const PGresult* r, int field) {
  return Load().result_error_field(r, field);
}
char* PQresultErrorMessage(const PGresult* r) { return Load().result_error_message(r); }
void PQclear(PGresult* r) { Load().clear(r); }
int PQntuples(const PGresult* r) { return Load().ntuples(r); }
char* PQcmdTuples(PGresult* r) { return Load().cmd_tuples(r); }
char* PQcmdStatus(PGresult* r) { return Load().cmd_status(r); }
int PQgetisnull(const PGresult* r, int row, int col) { return Load().getisnull(r, row, col); }
char* PQgetvalue(const PGresult* r, int row, int col) { return Load().getvalue(r, row, col); }
int PQgetlength(const PGresult* r, int row, int col) { return Load().getlength(r, row, col); }
int PQsocket(const PGconn* c) { return Load().socket(c); }
int PQconsumeInput(PGconn* c) { return Load().consume_input(c); }
PGnotify* PQnotifies(PGconn* c) { return Load().notifies(c); }
void PQfreemem(void* p) { Load().freemem(p); }

}  // extern "C"
