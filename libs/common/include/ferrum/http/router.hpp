#pragma once
// Routes requests to handlers by exact path or path prefix, then method.
//
// Contract: exact paths win over prefixes, longer prefixes over shorter ones; a path with no
// route goes to the fallback, else gets 404 with `not_found_text`; a known path asked with a
// method it does not serve gets 405 with an Allow header. Routing happens on the path only
// (the query is the handler's). Routes are added before the server starts; lookups are
// read-only and thread-safe.

#include <map>
#include <string>
#include <vector>

#include "ferrum/http/handler.hpp"

namespace ferrum::http {

class Router {
 public:
  // GET and HEAD (a HEAD answer loses its body in the server).
  Router& get(std::string path, Handler h) {
    return add({"GET", "HEAD"}, std::move(path), std::move(h));
  }
  Router& add(std::vector<std::string> methods, std::string path, Handler h);
  Router& prefix(std::vector<std::string> methods, std::string prefix, Handler h);
  Router& fallback(Handler h);
  Router& not_found_text(std::string text);

  void operator()(Request& req, Exchange& ex) const;

 private:
  struct Route {
    std::vector<std::string> methods;
    Handler handler;
  };
  void dispatch(const Route& r, Request& req, Exchange& ex) const;

  std::map<std::string, Route, std::less<>> exact_;
  std::vector<std::pair<std::string, Route>> prefixes_;  // longest first
  Handler fallback_;
  std::string not_found_ = "not found\n";
};

}  // namespace ferrum::http
