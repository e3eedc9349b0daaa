// Picks the mode and the observer a configuration asks for.
#include "echochat/core/chat_mode.hpp"
#include "echochat/core/echo_observer.hpp"
#include "echochat/core/local_echo_mode.hpp"
#include "echochat/core/session.hpp"

namespace echochat {

std::unique_ptr<mode> make_mode(const session_config& config) {
  if (config.chat) return std::make_unique<chat_mode>(config.outbox_capacity, config.history, config.replies);
  return std::make_unique<local_echo_mode>();
}

std::unique_ptr<observer> make_observer(const session_config& config) {
  if (config.chat && config.echo) return std::make_unique<echo_observer>(*config.echo, config.chat_target);
  return nullptr;
}

}  // namespace echochat
