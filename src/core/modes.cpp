// Picks the mode a configuration asks for.
#include "echochat/core/chat_mode.hpp"
#include "echochat/core/echo_mode.hpp"
#include "echochat/core/local_echo_mode.hpp"
#include "echochat/core/session.hpp"

namespace echochat {

std::unique_ptr<mode> make_mode(const session_config& config) {
  if (config.chat && config.echo) {
    return std::make_unique<echo_mode>(config.outbox_capacity, *config.echo, config.chat_target);
  }
  if (config.chat) return std::make_unique<chat_mode>(config.outbox_capacity, config.history, config.replies);
  return std::make_unique<local_echo_mode>();
}

}  // namespace echochat
