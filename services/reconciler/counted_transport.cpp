#include "counted_transport.hpp"

namespace ferrum::reconciler {

CountedTransport::CountedTransport(std::shared_ptr<kube::HttpTransport> inner,
                                   metrics::Registry& registry)
    : inner_(std::move(inner)),
      family_(registry.counter("ferrum_reconciler_api_requests_total",
                               "Requests sent to the API server, by HTTP method (WATCH for "
                               "watch streams).",
                               {"verb"})) {}

metrics::Counter& CountedTransport::counter_for(const std::string& method) {
  return family_.with({method});
}

Expected<kube::HttpResponse, kube::Error> CountedTransport::request(const kube::HttpRequest& req,
                                                                    std::stop_token stop) {
  counter_for(req.method).inc();
  return inner_->request(req, std::move(stop));
}

Expected<kube::HttpResponse, kube::Error> CountedTransport::stream(const kube::HttpRequest& req,
                                                                   const kube::DataSink& on_data,
                                                                   std::stop_token stop) {
  counter_for("WATCH").inc();
  return inner_->stream(req, on_data, std::move(stop));
}

}  // namespace ferrum::reconciler
