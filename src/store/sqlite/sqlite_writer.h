// Writer: the single writer of a SQLite database, with group commit.
//
// SQLite serialises writers and, with synchronous=FULL, every COMMIT waits
// for an fsync of the WAL. Committing each small write (a refresh-token
// rotation, a logout) on its own would cap throughput at the disk's fsync
// rate. So every write operation is handed to one writer thread, which runs
// all operations queued at that moment inside one transaction (each in its
// own SAVEPOINT, so one failing operation is undone alone) and commits them
// together: one fsync acknowledges the whole batch. Run() returns only after
// that COMMIT, so an acknowledged write is durable.
//
// Thread-safety: Run() may be called from any number of threads. An
// operation runs on the writer thread while its caller waits, so it may
// read and write the caller's variables it captured by reference.
//
// Foreign writes. The writer's connection is the only one of this process
// that commits, and `PRAGMA data_version` on a connection changes exactly
// when another connection committed (never for its own commits). So the
// writer reads it before every batch and, when idle, every
// foreign_write_check_ms: a change means another process (the sqlite3
// CLI, an operator's tool) wrote to the file, and the listener is called,
// on the writer thread, before the batch runs.
#ifndef AUTHD_STORE_SQLITE_SQLITE_WRITER_H_
#define AUTHD_STORE_SQLITE_SQLITE_WRITER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <thread>

#include "core/mutex.h"
#include "core/status.h"
#include "store/sqlite/sqlite_connection.h"

namespace authd::store::sqlite {

class Writer {
 public:
  // Runs inside the batch transaction. Must not BEGIN/COMMIT itself. A
  // non-ok Status rolls back this operation's writes only.
  using Op = std::function<core::Status(Connection&)>;

  // Takes one connection from `pool` for the writer's whole life. When idle,
  // it looks for foreign writes every `foreign_write_check_ms` (0: only
  // before batches). REQUIRES: `pool` outlives the Writer.
  static core::Result<std::unique_ptr<Writer>> Start(ConnectionPool& pool,
                                                     int foreign_write_check_ms = 0);
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  // Finishes the queued operations, then stops the thread.
  ~Writer();

  // Queues `op` and blocks until the transaction holding it committed (or
  // failed). Returns op's own status, or the batch's if BEGIN/COMMIT failed.
  core::Status Run(Op op);

  // Called (on the writer thread) once per check that found commits by
  // another connection since the previous one. Replaces the previous
  // listener; nullptr removes it. Once this returns, the previous
  // listener is not running and will not be called again.
  void SetForeignWriteListener(std::function<void()> listener);

 private:
  struct Pending {
    Op op;
    core::Status result;
    bool done = false;  // written and read with the writer's mu_ held
  };

  Writer(ConnectionPool::Lease conn, int foreign_write_check_ms);
  void Loop();
  void RunBatch(std::deque<Pending*>& batch);
  // The connection's data_version; nullopt if it could not be read.
  std::optional<std::int64_t> DataVersion();
  void NoticeForeignWrites();

  ConnectionPool::Lease conn_;  // used only by the writer thread
  const int foreign_write_check_ms_;
  std::optional<std::int64_t> data_version_;  // used only by the writer thread
  core::Mutex listener_mu_;                   // held while the listener runs
  std::function<void()> listener_ GUARDED_BY(listener_mu_);
  core::Mutex mu_;
  core::CondVar work_cv_;  // the writer waits for operations
  core::CondVar done_cv_;  // callers wait for their batch
  std::deque<Pending*> queue_ GUARDED_BY(mu_);
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

// Runs the single statement `sql`, bound by `bind(Statement&)`, as one
// writer op (its own SAVEPOINT in the next group commit); how many rows
// it changed. The shape of every one-statement write of the stores.
template <typename Bind>
core::Result<int> RunCounting(Writer& writer, const char* sql, Bind bind) {
  int changed = 0;
  core::Status s = writer.Run([&](Connection& conn) -> core::Status {
    core::Result<Statement> st = conn.Prepare(sql);
    if (!st.ok()) return st.error();
    bind(*st);
    if (core::Status run = st->Run(); !run.ok()) return run;
    changed = st->changes();
    return core::Status::Ok();
  });
  if (!s.ok()) return s;
  return changed;
}

}  // namespace authd::store::sqlite

#endif  // AUTHD_STORE_SQLITE_SQLITE_WRITER_H_
