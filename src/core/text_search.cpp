// The finder shared by both searches.
#include "echochat/core/text_search.hpp"

#include <algorithm>

namespace echochat {
namespace {

char fold(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

std::size_t text_finder::fold_hash::operator()(char c) const { return static_cast<unsigned char>(fold(c)); }

bool text_finder::fold_equal::operator()(char a, char b) const { return fold(a) == fold(b); }

text_finder::text_finder(std::string needle)
    : needle_(std::make_unique<const std::string>(std::move(needle))),
      searcher_(needle_->cbegin(), needle_->cend(), fold_hash{}, fold_equal{}) {}

std::size_t text_finder::find(std::string_view haystack, std::size_t from) const {
  if (from > haystack.size()) return std::string_view::npos;
  if (needle_->empty()) return from;
  if (needle_->size() > haystack.size() - from) return std::string_view::npos;
  const auto first = searcher_(haystack.begin() + static_cast<std::ptrdiff_t>(from), haystack.end()).first;
  if (first == haystack.end()) return std::string_view::npos;
  return static_cast<std::size_t>(first - haystack.begin());
}

}  // namespace echochat
