#pragma once
// The contract between Ferrum's HTTP server and the code that answers requests.
//
// A Handler runs on one of the server's I/O threads with the complete Request and an
// Exchange. It answers in one of two ways:
//   - now: ex.respond(response) before returning (admin, metadata, ipxe-http: they never block);
//   - later: ex.defer() returns a Completion that any thread calls once with the response
//     (ferrum-apiserver answers after its store commits). The connection waits, reading
//     nothing, until then.
// A handler that throws gets a 500 and its exception is logged; one that neither responds nor
// defers, or drops its Completion unanswered, gets a 500 naming that. Handlers must not block.

#include <functional>
#include <memory>

#include "ferrum/http/message.hpp"

namespace ferrum::http {

namespace detail {
// Implemented by the server: delivers a deferred response onto the connection's thread.
class PendingAnswer {
 public:
  virtual ~PendingAnswer() = default;
  virtual void complete(Response r) = 0;
};
}  // namespace detail

// Answers a deferred request from any thread, once. Move-only; destroying it unanswered
// answers 500.
class Completion {
 public:
  Completion() = default;
  explicit Completion(std::unique_ptr<detail::PendingAnswer> p) : p_(std::move(p)) {}
  Completion(Completion&&) noexcept = default;
  Completion& operator=(Completion&& o) noexcept;
  Completion(const Completion&) = delete;
  Completion& operator=(const Completion&) = delete;
  ~Completion();

  void operator()(Response r);
  explicit operator bool() const { return p_ != nullptr; }

 private:
  std::unique_ptr<detail::PendingAnswer> p_;
};

class Exchange {
 public:
  virtual ~Exchange() = default;
  virtual void respond(Response r) = 0;
  virtual Completion defer() = 0;
};

using Handler = std::function<void(Request&, Exchange&)>;

// A Handler from a function that answers at once.
Handler respond_with(std::function<Response(const Request&)> fn);

}  // namespace ferrum::http
