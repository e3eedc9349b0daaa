// How every connection of a run is made, beyond its address: one struct that app.cpp fills from
// the options and every transport's factory takes, so that a new setting is one member here.
#pragma once

#include "echochat/edges/tls_session.hpp"

namespace echochat {

struct connect_settings {
  tls_settings tls;   // tls:// and wss://
  bool crlf = false;  // --crlf: lines sent over tcp, tls and unix end in CR LF
};

}  // namespace echochat
