// The resend-safe queue of lines waiting for the connection.
#include "echochat/core/outbox.hpp"

namespace echochat {

void outbox::pop_sent() {
  if (!lines_.empty()) lines_.pop_front();
}

}  // namespace echochat
