// Load mode's latencies: a histogram of fixed memory in HdrHistogram's layout (log-linear
// buckets, 3 significant digits, 1 µs to 1 hour), so that its encoding is HdrHistogram's own and
// any HdrHistogram implementation reads, merges and reports it. 23,552 counters (184 KiB)
// whatever the number of values recorded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace echochat {

class latency_histogram {
 public:
  static constexpr std::int64_t lowest = 1;               // µs: the smallest value told apart from 0
  static constexpr std::int64_t highest = 3'600'000'000;  // µs: one hour; larger values count as this
  static constexpr int significant_digits = 3;

  latency_histogram();

  // Records one value in µs (negative counts as 0, past `highest` as `highest`).
  void record(std::int64_t us, std::uint64_t times = 1);
  // Adds every value of `other`.
  void add(const latency_histogram& other);
  void reset();

  std::uint64_t count() const { return total_; }
  std::int64_t min() const;  // 0 when empty
  std::int64_t max() const;  // the highest value recorded, as HdrHistogram reports it
  double mean() const;
  // HdrHistogram's getValueAtPercentile: the value at or under which p percent (0..100) of the
  // values lie, rounded up to the highest value its bucket stands for; 0 when empty.
  std::int64_t at_percentile(double p) const;

  // The buckets as (highest value of the bucket, count), those with a count only, in order.
  std::vector<std::pair<std::int64_t, std::uint64_t>> buckets() const;

  // HdrHistogram's V2 encoding (big-endian header, ZigZag LEB128 counts, zero runs), and the
  // compressed form its interval logs carry (DEFLATE in zlib's format, then base64).
  std::string encode() const;
  std::string encode_compressed_base64() const;
  // Reads what encode_compressed_base64() wrote (or another implementation's V2 encoding with the
  // same layout) and adds it; false if the text is not one.
  bool add_compressed_base64(const std::string& text);

  // HdrHistogram's index arithmetic (public for the tests).
  static std::size_t index_of(std::int64_t us);
  static std::int64_t value_of(std::size_t index);             // the lowest value of the index's bucket
  static std::int64_t highest_equivalent(std::int64_t value);  // the highest value of its bucket
  static constexpr std::size_t counts_length = 23'552;

 private:
  std::vector<std::uint64_t> counts_;
  std::uint64_t total_ = 0;
  std::int64_t max_ = 0;
  std::int64_t min_ = -1;  // -1: nothing recorded
};

// RFC 4648 base64, for the interval log.
std::string base64_encode(const std::string& bytes);
bool base64_decode(const std::string& text, std::string& bytes);

}  // namespace echochat
