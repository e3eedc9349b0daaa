// Finding text the way both searches do (Ctrl-R over the input history, /find over the
// transcript): ASCII letters match either case, every other byte matches only itself.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace echochat {

class text_finder {
 public:
  explicit text_finder(std::string needle = {});

  // Movable, not copyable: the searcher points into the needle, which a move leaves in place.
  text_finder(text_finder&&) = default;
  text_finder& operator=(text_finder&&) = default;
  text_finder(const text_finder&) = delete;
  text_finder& operator=(const text_finder&) = delete;

  const std::string& needle() const { return *needle_; }
  // The byte offset of the first match in `haystack` at or after `from`, or npos. An empty
  // needle matches at `from`.
  std::size_t find(std::string_view haystack, std::size_t from = 0) const;
  bool in(std::string_view haystack) const { return find(haystack) != std::string_view::npos; }

 private:
  struct fold_hash {
    std::size_t operator()(char c) const;
  };
  struct fold_equal {
    bool operator()(char a, char b) const;
  };
  std::unique_ptr<const std::string> needle_;
  // Boyer-Moore-Horspool: a 4 MiB scrollback is searched in a few milliseconds.
  std::boyer_moore_horspool_searcher<std::string::const_iterator, fold_hash, fold_equal> searcher_;
};

}  // namespace echochat
