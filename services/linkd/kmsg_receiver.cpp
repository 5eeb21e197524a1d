#include "kmsg_receiver.hpp"

#include <fmt/format.h>

#include <boost/asio/steady_timer.hpp>
#include <cerrno>
#include <cstring>

namespace ferrum::linkd {

namespace asio = boost::asio;
using asio::ip::tcp;

Expected<std::unique_ptr<LineSink>, std::string> LineSink::open(const std::string& where) {
  if (where == "stdout") return std::unique_ptr<LineSink>(new LineSink(stdout, false));
  std::FILE* f = std::fopen(where.c_str(), "ae");
  if (f == nullptr) {
    return unexpected(fmt::format("--log-output {}: {}", where, std::strerror(errno)));
  }
  std::setvbuf(f, nullptr, _IOFBF, 1 << 16);
  return std::unique_ptr<LineSink>(new LineSink(f, true));
}

LineSink::~LineSink() {
  std::fflush(f_);
  if (owned_) std::fclose(f_);
}

void LineSink::write(std::string_view lines) {
  std::lock_guard lock(mu_);
  std::fwrite(lines.data(), 1, lines.size(), f_);
  std::fflush(f_);
}

class KmsgReceiver::Session : public std::enable_shared_from_this<Session> {
 public:
  Session(KmsgReceiver& owner, tcp::socket sock, std::shared_ptr<std::atomic<std::size_t>> open)
      : owner_(owner),
        sock_(std::move(sock)),
        timer_(sock_.get_executor()),
        open_(std::move(open)),
        buf_(64 * 1024) {
    boost::system::error_code ec;
    auto ep = sock_.remote_endpoint(ec);
    if (!ec) {
      auto a = ep.address();
      if (a.is_v6()) {
        auto b = a.to_v6().to_bytes();
        std::copy(b.begin(), b.end(), addr_.begin());
      } else {
        auto m = asio::ip::make_address_v6(asio::ip::v4_mapped, a.to_v4()).to_bytes();
        std::copy(m.begin(), m.end(), addr_.begin());
      }
      source_ = a.to_string();
    }
  }
  ~Session() { open_->fetch_sub(1); }

  void start() {
    refresh();
    owner_.log_.info("log connection",
                     {{"node", source_}, {"server", annotation_ ? annotation_->server_uuid : ""}});
    read();
  }

 private:
  void refresh() {
    auto v = owner_.nodes_.version();
    if (v == version_) return;
    version_ = v;
    annotation_ = owner_.nodes_.annotation_for_address(addr_);
    std::string label = annotation_ ? annotation_->server_uuid : std::string("unknown");
    lines_ = &owner_.lines_.with({label});
    bytes_ = &owner_.bytes_.with({label});
  }

  void arm_timer() {
    timer_.expires_after(owner_.settings_.idle_timeout);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      if (!ec) {
        boost::system::error_code ignored;
        self->sock_.close(ignored);
      }
    });
  }

  void read() {
    arm_timer();
    sock_.async_read_some(asio::buffer(buf_),
                          [self = shared_from_this()](const boost::system::error_code& ec,
                                                      std::size_t n) { self->on_read(ec, n); });
  }

  void on_read(const boost::system::error_code& ec, std::size_t n) {
    if (ec) {
      timer_.cancel();
      owner_.log_.info("log connection closed", {{"node", source_}, {"reason", ec.message()}});
      return;
    }
    refresh();
    out_.clear();
    std::string_view data(buf_.data(), n);
    std::size_t lines = 0;
    while (!data.empty()) {
      auto nl = data.find('\n');
      auto piece = data.substr(0, nl);
      if (skipping_) {
        if (nl == std::string_view::npos) break;
        skipping_ = false;
      } else if (partial_.size() + piece.size() > owner_.settings_.max_line_bytes) {
        owner_.bad_.with({"too_long"}).inc();
        partial_.clear();
        skipping_ = nl == std::string_view::npos;
      } else if (nl == std::string_view::npos) {
        partial_.append(piece);
      } else {
        std::string_view line = piece;
        if (!partial_.empty()) {
          partial_.append(piece);
          line = partial_;
        }
        if (!line.empty()) {
          bytes_->inc(static_cast<double>(line.size() + 1));
          auto err =
              enrich_kmsg_line(line, source_, annotation_ ? &*annotation_ : nullptr, scratch_);
          if (err.empty()) {
            out_ += scratch_;
            out_.push_back('\n');
            ++lines;
          } else {
            owner_.bad_.with({"bad_json"}).inc();
          }
        }
        partial_.clear();
      }
      if (nl == std::string_view::npos) break;
      data.remove_prefix(nl + 1);
    }
    if (lines > 0) {
      lines_->inc(static_cast<double>(lines));
      owner_.sink_.write(out_);
    }
    read();
  }

  KmsgReceiver& owner_;
  tcp::socket sock_;
  asio::steady_timer timer_;
  std::shared_ptr<std::atomic<std::size_t>> open_;
  std::vector<char> buf_;
  Ipv6Bytes addr_{};
  std::string source_;
  std::uint64_t version_ = 0;
  std::optional<NodeAnnotation> annotation_;
  metrics::Counter* lines_ = nullptr;
  metrics::Counter* bytes_ = nullptr;
  std::string partial_;
  bool skipping_ = false;
  std::string out_;
  std::string scratch_;
};

KmsgReceiver::KmsgReceiver(asio::io_context& io, KmsgSettings settings, const NodeDirectory& nodes,
                           LineSink& sink, metrics::Registry& registry, log::Logger log)
    : io_(io),
      settings_(settings),
      nodes_(nodes),
      sink_(sink),
      lines_(registry.counter("linkd_log_lines_total", "Node log lines written, by server",
                              {"server"})),
      bytes_(registry.counter("linkd_log_bytes_total", "Node log bytes received, by server",
                              {"server"})),
      bad_(registry.counter("linkd_log_bad_lines_total", "Node log lines dropped, by reason",
                            {"reason"})),
      log_(std::move(log)),
      acceptor_(io),
      open_(std::make_shared<std::atomic<std::size_t>>(0)) {
  registry.gauge_callback("linkd_log_connections", "Open node log connections",
                          [open = open_] { return static_cast<double>(open->load()); });
}

KmsgReceiver::~KmsgReceiver() = default;

Expected<std::uint16_t, std::string> KmsgReceiver::start(const tcp::endpoint& at) {
  boost::system::error_code ec;
  acceptor_.open(at.protocol(), ec);
  if (!ec) acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) acceptor_.bind(at, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return unexpected(fmt::format("--log-listen-port: [{}]:{}: {}", at.address().to_string(),
                                  at.port(), ec.message()));
  }
  accept();
  return acceptor_.local_endpoint().port();
}

void KmsgReceiver::stop() {
  boost::system::error_code ec;
  acceptor_.close(ec);
}

void KmsgReceiver::accept() {
  acceptor_.async_accept([this](const boost::system::error_code& ec, tcp::socket sock) {
    if (ec == asio::error::operation_aborted) return;
    if (!ec) {
      if (open_->load() >= settings_.max_connections) {
        bad_.with({"connection_limit"}).inc();
        boost::system::error_code ignored;
        sock.close(ignored);
      } else {
        open_->fetch_add(1);
        sock.set_option(tcp::no_delay(true));
        std::make_shared<Session>(*this, std::move(sock), open_)->start();
      }
    }
    accept();
  });
}

}  // namespace ferrum::linkd
