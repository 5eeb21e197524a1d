#pragma once
// An HttpTransport that counts the requests passing through it by verb, so the reconciler's
// API load is visible (ferrum_reconciler_api_requests_total{verb}): the benchmark divides it
// by the number of Servers to show there are no hot loops.

#include <memory>

#include "ferrum/kube/transport.hpp"
#include "ferrum/metrics.hpp"

namespace ferrum::reconciler {

class CountedTransport final : public kube::HttpTransport {
 public:
  CountedTransport(std::shared_ptr<kube::HttpTransport> inner, metrics::Registry& registry);

  Expected<kube::HttpResponse, kube::Error> request(const kube::HttpRequest& req,
                                                    std::stop_token stop = {}) override;
  Expected<kube::HttpResponse, kube::Error> stream(const kube::HttpRequest& req,
                                                   const kube::DataSink& on_data,
                                                   std::stop_token stop) override;

 private:
  metrics::Counter& counter_for(const std::string& method);

  std::shared_ptr<kube::HttpTransport> inner_;
  metrics::Family<metrics::Counter>& family_;
};

}  // namespace ferrum::reconciler
