#include "store/sqlite/sqlite_writer.h"

#include <chrono>
#include <exception>
#include <utility>

namespace authd::store::sqlite {
namespace {

// Bounds one transaction's size (and so the latency of its first caller).
constexpr std::size_t kMaxBatch = 512;

}  // namespace

core::Result<std::unique_ptr<Writer>> Writer::Start(ConnectionPool& pool,
                                                    int foreign_write_check_ms) {
  core::Result<ConnectionPool::Lease> conn = pool.Acquire();
  if (!conn.ok()) return conn.error();
  return std::unique_ptr<Writer>(new Writer(std::move(*conn), foreign_write_check_ms));
}

Writer::Writer(ConnectionPool::Lease conn, int foreign_write_check_ms)
    : conn_(std::move(conn)),
      foreign_write_check_ms_(foreign_write_check_ms),
      data_version_(DataVersion()),  // before the thread: the baseline
      thread_([this] { Loop(); }) {}

Writer::~Writer() {
  {
    core::MutexLock lock(&mu_);
    stopping_ = true;
  }
  work_cv_.Signal();
  thread_.join();
}

core::Status Writer::Run(Op op) {
  Pending p{std::move(op), core::Status::Ok(), false};
  core::MutexLock lock(&mu_);
  if (stopping_) return core::Unavailable("sqlite writer is shutting down");
  queue_.push_back(&p);
  work_cv_.Signal();
  while (!p.done) done_cv_.Wait(&mu_);
  return p.result;
}

void Writer::SetForeignWriteListener(std::function<void()> listener) {
  core::MutexLock lock(&listener_mu_);
  listener_ = std::move(listener);
}

std::optional<std::int64_t> Writer::DataVersion() {
  core::Result<Statement> st = conn_->Prepare("PRAGMA data_version");
  if (!st.ok()) return std::nullopt;
  core::Result<bool> row = st->Step();
  if (!row.ok() || !*row) return std::nullopt;
  return st->Int(0);
}

void Writer::NoticeForeignWrites() {
  std::optional<std::int64_t> now = DataVersion();
  if (!now || now == data_version_) return;
  data_version_ = now;
  core::MutexLock lock(&listener_mu_);
  if (listener_) listener_();
}

void Writer::Loop() {
  std::deque<Pending*> batch;
  mu_.Lock();
  for (;;) {
    if (foreign_write_check_ms_ > 0) {
      const auto deadline =
          std::chrono::steady_clock::now() + std::chrono::milliseconds(foreign_write_check_ms_);
      while (!stopping_ && queue_.empty() && work_cv_.WaitUntil(&mu_, deadline)) {
      }
    } else {
      while (!stopping_ && queue_.empty()) work_cv_.Wait(&mu_);
    }
    if (stopping_ && queue_.empty()) {  // nothing left
      mu_.Unlock();
      return;
    }
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    mu_.Unlock();
    // Before the batch: its writes are then never mistaken for foreign
    // ones, and a foreign write it follows is noticed first.
    NoticeForeignWrites();
    if (batch.empty()) {  // an idle check
      mu_.Lock();
      continue;
    }
    RunBatch(batch);
    mu_.Lock();
    for (Pending* p : batch) p->done = true;
    batch.clear();
    done_cv_.SignalAll();
  }
}

void Writer::RunBatch(std::deque<Pending*>& batch) {
  Connection& c = *conn_;
  if (core::Status s = c.Exec("BEGIN IMMEDIATE"); !s.ok()) {
    for (Pending* p : batch) p->result = s;
    return;
  }
  for (Pending* p : batch) {
    if (core::Status s = c.Exec("SAVEPOINT op"); !s.ok()) {
      p->result = s;
      continue;
    }
    try {
      p->result = p->op(c);
    } catch (const std::exception& e) {
      p->result = core::Internal(std::string("sqlite write threw: ") + e.what());
    }
    if (p->result.ok()) {
      p->result = c.Exec("RELEASE op");
    } else {
      (void)c.Exec("ROLLBACK TO op");
      (void)c.Exec("RELEASE op");
    }
  }
  if (core::Status s = c.Exec("COMMIT"); !s.ok()) {
    (void)c.Exec("ROLLBACK");
    for (Pending* p : batch) {
      if (p->result.ok()) p->result = s;
    }
  }
}

}  // namespace authd::store::sqlite
