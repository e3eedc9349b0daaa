// Real proxies on loopback for the tests of --proxy: microsocks (SOCKS5, with or without a user
// name and password), dante's danted (SOCKS5 without authentication: its user name method checks
// the system's users) and tinyproxy (HTTP CONNECT, with Basic credentials or without). Each runs in
// the foreground as a child, its configuration in a scratch directory, on a port of its own.
#pragma once

#include "e2e/peer_util.hpp"
#include "support/temp_dir.hpp"

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace echochat::e2e {

enum class proxy_program : std::uint8_t { microsocks, dante, tinyproxy };

inline std::string program_name(proxy_program p) {
  switch (p) {
    case proxy_program::microsocks: return "microsocks";
    case proxy_program::dante: return "danted (dante-server)";
    case proxy_program::tinyproxy: return "tinyproxy";
  }
  return "?";
}

// danted is in /usr/sbin, which a user's PATH may lack.
inline std::string program_path(proxy_program p) {
  switch (p) {
    case proxy_program::microsocks: return on_path("microsocks") ? "microsocks" : "";
    case proxy_program::dante:
      if (on_path("danted")) return "danted";
      return ::access("/usr/sbin/danted", X_OK) == 0 ? "/usr/sbin/danted" : "";
    case proxy_program::tinyproxy: return on_path("tinyproxy") ? "tinyproxy" : "";
  }
  return "";
}

struct proxy_credentials {
  std::string user;
  std::string password;
};

// A proxy program running on 127.0.0.1:port() until destroyed.
class proxy_peer {
 public:
  proxy_peer(proxy_program program, std::optional<proxy_credentials> credentials = std::nullopt)
      : program_(program), port_(free_port()), credentials_(std::move(credentials)) {
    const std::string path = program_path(program);
    std::vector<std::string> args;
    const std::string port = std::to_string(port_);
    switch (program) {
      case proxy_program::microsocks:
        args = {path, "-i", "127.0.0.1", "-p", port};
        if (credentials_) args.insert(args.end(), {"-u", credentials_->user, "-P", credentials_->password});
        break;
      case proxy_program::dante: {
        const auto conf = dir_.path / "danted.conf";
        std::ofstream(conf) << "logoutput: " << (dir_.path / "danted.log").string() << "\n"
                            << "internal: 127.0.0.1 port = " << port << "\n"
                            << "external: 127.0.0.1\n"
                            << "clientmethod: none\n"
                            << "socksmethod: none\n"
                            << "client pass {\n  from: 127.0.0.0/8 to: 0.0.0.0/0\n}\n"
                            << "socks pass {\n  from: 127.0.0.0/8 to: 0.0.0.0/0\n}\n";
        args = {path, "-f", conf.string(), "-p", (dir_.path / "danted.pid").string()};
        break;
      }
      case proxy_program::tinyproxy: {
        // No ConnectPort line: tinyproxy 1.11 then lets CONNECT reach every port.
        const auto conf = dir_.path / "tinyproxy.conf";
        std::ofstream out(conf);
        out << "Port " << port << "\nListen 127.0.0.1\nTimeout 600\nMaxClients 16\nAllow 127.0.0.1\n"
            << "PidFile \"" << (dir_.path / "tinyproxy.pid").string() << "\"\n"
            << "LogFile \"" << (dir_.path / "tinyproxy.log").string() << "\"\nLogLevel Info\n";
        if (credentials_) out << "BasicAuth " << credentials_->user << " " << credentials_->password << "\n";
        out.close();
        args = {path, "-d", "-c", conf.string()};
        break;
      }
    }
    process_ = std::make_unique<peer_process>(args, [p = port_] { return accepts(p); });
  }

  // Whether the program is installed; said (and a failure under CI=true) when it is not.
  static bool present(proxy_program program) {
    return have_peer(!program_path(program).empty(), program_name(program));
  }

  std::uint16_t port() const { return port_; }
  std::string host_port() const { return "127.0.0.1:" + std::to_string(port_); }
  // The proxy's URL with `scheme`, and the credentials it was started with (or `password`).
  std::string url(const std::string& scheme, std::optional<std::string> password = std::nullopt) const {
    std::string auth;
    if (credentials_) auth = credentials_->user + ":" + password.value_or(credentials_->password) + "@";
    return scheme + "://" + auth + host_port();
  }
  void stop() { process_->stop(); }
  void start() { process_->start(); }

 private:
  proxy_program program_;
  echochat::testing::temp_dir dir_{"echochat-proxy"};
  std::uint16_t port_;
  std::optional<proxy_credentials> credentials_;
  std::unique_ptr<peer_process> process_;
};

}  // namespace echochat::e2e
