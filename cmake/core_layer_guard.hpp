// Forced into every source of echochat_core (-include, see cmake/Layers.cmake): the core is pure,
// so naming Asio, Beast, curses, sockets or OpenSSL there is a compile error. Each identifier is
// one that its library's header cannot do without, so including the header is enough to fail:
// "attempt to use poisoned" means a core file reached for an edge's library. Put that code in
// src/edges/ instead. (Not `socket`: the standard library's file_type has a member of that name.)
#pragma GCC poison asio beast initscr newterm sockaddr getaddrinfo SSL_CTX
