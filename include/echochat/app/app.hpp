// The whole program behind main(): picks the screen, starts the input thread, runs the pipeline.
#pragma once

#include "echochat/core/options.hpp"

namespace echochat {

// Runs echochat with parsed options; returns the process exit code. The terminal is restored
// before it returns or throws.
int run(const options& opts);

}  // namespace echochat
