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
#ifndef AUTHD_STORE_SQLITE_SQLITE_WRITER_H_
#define AUTHD_STORE_SQLITE_SQLITE_WRITER_H_

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "core/status.h"
#include "store/sqlite/sqlite_connection.h"

namespace authd::store::sqlite {

class Writer {
 public:
  // Runs inside the batch transaction. Must not BEGIN/COMMIT itself. A
  // non-ok Status rolls back this operation's writes only.
  using Op = std::function<core::Status(Connection&)>;

  // Takes one connection from `pool` for the writer's whole life.
  // REQUIRES: `pool` outlives the Writer.
  static core::Result<std::unique_ptr<Writer>> Start(ConnectionPool& pool);
  Writer(const Writer&) = delete;
  Writer& operator=(const Writer&) = delete;
  // Finishes the queued operations, then stops the thread.
  ~Writer();

  // Queues `op` and blocks until the transaction holding it committed (or
  // failed). Returns op's own status, or the batch's if BEGIN/COMMIT failed.
  core::Status Run(Op op);

 private:
  struct Pending {
    Op op;
    core::Status result;
    bool done = false;
  };

  explicit Writer(ConnectionPool::Lease conn);
  void Loop();
  void RunBatch(std::deque<Pending*>& batch);

  ConnectionPool::Lease conn_;  // used only by the writer thread
  std::mutex mu_;
  std::condition_variable work_cv_;  // the writer waits for operations
  std::condition_variable done_cv_;  // callers wait for their batch
  std::deque<Pending*> queue_;       // GUARDED_BY(mu_)
  bool stopping_ = false;            // GUARDED_BY(mu_)
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
