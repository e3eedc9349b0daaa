// The in-process line server of the tests: plain Asio callbacks on a thread of its own.
#include "support/test_server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <deque>
#include <future>
#include <system_error>
#include <thread>
#include <utility>

namespace echochat::testing {

namespace asio = boost::asio;
using asio::ip::tcp;
using boost::system::error_code;

namespace {

struct connection {
  explicit connection(tcp::socket s) : socket(std::move(s)) {}
  tcp::socket socket;
  std::string inbuf;
  std::deque<std::string> outq;
  bool writing = false;
  bool open = true;
};

}  // namespace

struct test_server::impl {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work = asio::make_work_guard(io);
  tcp::acceptor acceptor{io};
  std::uint64_t generation = 0;                    // of the acceptor: a stale accept's socket is not a client
  std::vector<std::shared_ptr<connection>> conns;  // the server thread's only

  // What the tests look at, behind the mutex; `version` changes with every change.
  mutable std::mutex m;
  mutable std::condition_variable cv;
  std::uint64_t version = 0;
  std::vector<std::string> received;
  std::size_t open_count = 0;
  std::size_t accepted = 0;
  std::size_t ended = 0;
  bool listening = false;

  // The server thread's only: what it answers to each line (nothing: it answers nothing).
  test_server::reply_function reply;

  std::thread thread;

  template <class F>
  void update(F f) {
    {
      std::lock_guard lock(m);
      f();
      ++version;
    }
    cv.notify_all();
  }

  // Runs f on the server thread and returns once it has run (rethrowing what it threw).
  template <class F>
  void run_here(F f) {
    if (thread.get_id() == std::this_thread::get_id()) {
      f();
      return;
    }
    std::packaged_task<void()> task(std::move(f));
    auto done = task.get_future();
    asio::post(io, [&task] { task(); });
    done.get();
  }

  void listen(std::uint16_t port) {
    const tcp::endpoint ep(asio::ip::make_address_v4("127.0.0.1"), port);
    acceptor.open(ep.protocol());
    acceptor.set_option(tcp::acceptor::reuse_address(true));
    acceptor.bind(ep);
    acceptor.listen();
    ++generation;
    update([&] { listening = true; });
    accept_next();
  }

  void stop_listening() {
    if (!acceptor.is_open()) return;
    error_code ignored;
    acceptor.close(ignored);
    ++generation;
    update([&] { listening = false; });
  }

  void accept_next() {
    acceptor.async_accept([this, gen = generation](error_code ec, tcp::socket socket) {
      if (ec || gen != generation) return;  // closed, or a connection of an acceptor now gone
      auto c = std::make_shared<connection>(std::move(socket));
      error_code ignored;
      c->socket.set_option(tcp::no_delay(true), ignored);
      conns.push_back(c);
      update([&] {
        ++accepted;
        ++open_count;
      });
      read_next(c);
      accept_next();
    });
  }

  void read_next(const std::shared_ptr<connection>& c) {
    asio::async_read_until(c->socket, asio::dynamic_buffer(c->inbuf), '\n',
                           [this, c](error_code ec, std::size_t n) {
                             if (!c->open) return;
                             if (ec) {
                               if (ec == asio::error::eof) {
                                 // The client closed its sending side; it may still read what the server
                                 // sends.
                                 update([&] { ++ended; });
                               } else {
                                 close(c);
                               }
                               return;
                             }
                             std::string line = c->inbuf.substr(0, n - 1);
                             c->inbuf.erase(0, n);
                             if (!line.empty() && line.back() == '\r') line.pop_back();
                             std::optional<std::string> answer;
                             if (reply) answer = reply(line);
                             update([&] { received.push_back(std::move(line)); });
                             if (answer) send(c, std::move(*answer) + "\n");
                             read_next(c);
                           });
  }

  void send(const std::shared_ptr<connection>& c, std::string bytes) {
    c->outq.push_back(std::move(bytes));
    write_next(c);
  }

  void write_next(const std::shared_ptr<connection>& c) {
    if (c->writing || c->outq.empty() || !c->open) return;
    c->writing = true;
    asio::async_write(c->socket, asio::buffer(c->outq.front()), [this, c](error_code ec, std::size_t) {
      c->writing = false;
      if (!c->open) return;
      c->outq.pop_front();
      if (ec) return close(c);
      write_next(c);
    });
  }

  void close(const std::shared_ptr<connection>& c) {
    if (!c->open) return;
    c->open = false;
    error_code ignored;
    c->socket.shutdown(tcp::socket::shutdown_both, ignored);
    c->socket.close(ignored);
    std::erase(conns, c);
    update([&] { --open_count; });
  }

  void close_all() {
    const auto all = conns;
    for (const auto& c : all) close(c);
  }
};

test_server::test_server() : impl_(std::make_unique<impl>()) {
  impl_->listen(0);
  port_ = impl_->acceptor.local_endpoint().port();
  impl_->thread = std::thread([this] { impl_->io.run(); });
}

test_server::~test_server() {
  impl_->run_here([this] {
    impl_->stop_listening();
    impl_->close_all();
  });
  impl_->work.reset();
  impl_->io.stop();
  impl_->thread.join();
}

std::string test_server::address() const { return "127.0.0.1:" + std::to_string(port_); }

void test_server::answer_with(reply_function f) {
  impl_->run_here([&] { impl_->reply = std::move(f); });
}

void test_server::send_line(std::string_view line) {
  std::string bytes{line};
  bytes.push_back('\n');
  send_raw(std::move(bytes));
}

void test_server::send_raw(std::string bytes) {
  impl_->run_here([&] {
    for (const auto& c : impl_->conns) impl_->send(c, bytes);
  });
}

void test_server::close_clients() {
  impl_->run_here([this] { impl_->close_all(); });
}

void test_server::stop_listening() {
  impl_->run_here([this] { impl_->stop_listening(); });
}

void test_server::start_listening() {
  impl_->run_here([this] {
    if (!impl_->acceptor.is_open()) impl_->listen(port_);
  });
}

std::vector<std::string> test_server::lines() const {
  std::lock_guard lock(impl_->m);
  return impl_->received;
}

std::size_t test_server::count(std::string_view line) const {
  std::lock_guard lock(impl_->m);
  return static_cast<std::size_t>(std::count(impl_->received.begin(), impl_->received.end(), line));
}

std::size_t test_server::clients() const {
  std::lock_guard lock(impl_->m);
  return impl_->open_count;
}

std::size_t test_server::accepted() const {
  std::lock_guard lock(impl_->m);
  return impl_->accepted;
}

std::size_t test_server::ended() const {
  std::lock_guard lock(impl_->m);
  return impl_->ended;
}

bool test_server::listening() const {
  std::lock_guard lock(impl_->m);
  return impl_->listening;
}

bool test_server::wait_for(const std::function<bool()>& pred, std::chrono::milliseconds timeout) const {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::uint64_t seen = 0;
    {
      std::lock_guard lock(impl_->m);
      seen = impl_->version;
    }
    if (pred()) return true;
    std::unique_lock lock(impl_->m);
    if (!impl_->cv.wait_until(lock, deadline, [&] { return impl_->version != seen; })) {
      lock.unlock();
      return pred();
    }
  }
}

}  // namespace echochat::testing
