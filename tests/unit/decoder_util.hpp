// The unit tests' way to run the key decoder: all of `bytes` as one chunk, then the end.
#pragma once

#include "echochat/core/key_decoder.hpp"

#include <string_view>
#include <vector>

namespace echochat::testing {

inline std::vector<key> decode(std::string_view bytes) {
  key_decoder d;
  std::vector<key> out;
  d.feed(bytes, out);
  d.flush(out);
  return out;
}

}  // namespace echochat::testing
