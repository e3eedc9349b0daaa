// Load mode: many connections to an echo server, messages at a fixed rate or one in flight each,
// latency measured from the schedule; a live view on a terminal, a line a second without one,
// then the summary (and --json, --histogram-log).
#pragma once

#include "echochat/core/options.hpp"
#include "echochat/edges/line_connection.hpp"

namespace echochat {

// Runs a load with `opts.load` set; the exit code: 0 when every message counted was echoed
// exactly, 1 when some were lost, differed or could not be sent, 2 when it could not start
// (a file it cannot write, a descriptor limit too low), 128 + N after signal N.
int run_load(const options& opts, connection_factory connector);

}  // namespace echochat
