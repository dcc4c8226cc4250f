#include "store/sqlite/sqlite_writer.h"

#include <exception>
#include <utility>

namespace authd::store::sqlite {
namespace {

// Bounds one transaction's size (and so the latency of its first caller).
constexpr std::size_t kMaxBatch = 512;

}  // namespace

core::Result<std::unique_ptr<Writer>> Writer::Start(ConnectionPool& pool) {
  core::Result<ConnectionPool::Lease> conn = pool.Acquire();
  if (!conn.ok()) return conn.error();
  return std::unique_ptr<Writer>(new Writer(std::move(*conn)));
}

Writer::Writer(ConnectionPool::Lease conn)
    : conn_(std::move(conn)), thread_([this] { Loop(); }) {}

Writer::~Writer() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  work_cv_.notify_one();
  thread_.join();
}

core::Status Writer::Run(Op op) {
  Pending p{std::move(op), core::Status::Ok(), false};
  std::unique_lock<std::mutex> lock(mu_);
  if (stopping_) return core::Unavailable("sqlite writer is shutting down");
  queue_.push_back(&p);
  work_cv_.notify_one();
  done_cv_.wait(lock, [&p] { return p.done; });
  return p.result;
}

void Writer::Loop() {
  std::deque<Pending*> batch;
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    work_cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, nothing left
    while (!queue_.empty() && batch.size() < kMaxBatch) {
      batch.push_back(queue_.front());
      queue_.pop_front();
    }
    lock.unlock();
    RunBatch(batch);
    lock.lock();
    for (Pending* p : batch) p->done = true;
    batch.clear();
    done_cv_.notify_all();
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
