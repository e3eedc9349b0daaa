// The interleaving of address families for Happy Eyeballs.
#include "echochat/core/happy_eyeballs.hpp"

#include <algorithm>

namespace echochat {

std::vector<std::size_t> attempt_order(const std::vector<bool>& is_v6) {
  std::vector<std::size_t> v6;
  std::vector<std::size_t> v4;
  for (std::size_t i = 0; i < is_v6.size(); ++i) (is_v6[i] ? v6 : v4).push_back(i);
  std::vector<std::size_t> order;
  order.reserve(is_v6.size());
  for (std::size_t i = 0; i < std::max(v6.size(), v4.size()); ++i) {
    if (i < v6.size()) order.push_back(v6[i]);
    if (i < v4.size()) order.push_back(v4[i]);
  }
  return order;
}

}  // namespace echochat
