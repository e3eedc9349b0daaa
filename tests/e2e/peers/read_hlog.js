// Reads an HdrHistogram interval log with hdr-histogram-js (an HdrHistogram implementation that
// is not echochat's) and prints what it found as one JSON object: the intervals, and the merged
// histogram's count, p50, p99 and max in the log's unit (µs).
//   NODE_PATH=$(npm root -g) node read_hlog.js FILE
"use strict";
const hdr = require("hdr-histogram-js");
const fs = require("fs");

const reader = new hdr.HistogramLogReader(fs.readFileSync(process.argv[2], "utf8"));
const total = hdr.build({ lowestDiscernibleValue: 1, highestTrackableValue: 3600e6, numberOfSignificantValueDigits: 3 });
let intervals = 0;
for (let h; (h = reader.nextIntervalHistogram()) != null; ) {
  intervals++;
  total.add(h);
}
console.log(JSON.stringify({
  intervals,
  count: total.totalCount,
  p50: total.getValueAtPercentile(50),
  p99: total.getValueAtPercentile(99),
  max: total.maxValue,
}));
