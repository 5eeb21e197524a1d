#pragma once
// The request-head rules of Ferrum's HTTP server, shared by the server's sessions and the
// pure parse_request() (tests, fuzzing): one implementation of what a head may be.

#include <boost/beast/http.hpp>
#include <optional>

#include "ferrum/http/limits.hpp"
#include "ferrum/http/message.hpp"

namespace ferrum::http::detail {

using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

void init_parser(RequestParser& p, const Limits& limits);

// Checks a parsed head (version, origin-form target, body allowed): the error to answer, or
// nothing with `target` filled in.
std::optional<HeadError> check_head(const RequestParser& p, const Limits& limits, Target& target);

// The answer to a parser error (413 over the body limit, 431 over the head limit, 505 for a
// well-formed request line of another HTTP version, else 400). `unparsed`: the bytes the
// parser refused (the request line is at their start when the version was the problem).
HeadError parse_error(boost::system::error_code ec, const Limits& limits,
                      std::string_view unparsed);

// Moves a complete message into a Request.
Request to_request(RequestParser& p, Target target);

}  // namespace ferrum::http::detail
