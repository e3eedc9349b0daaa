# The layers are a rule of the build (cmake/Layers.cmake): this proves it, by running the
# preprocessor with each library's own include path, definitions and options (written by
# tests/CMakeLists.txt into FLAGS at generate time).
#   - every edges header compiles alone as the edges see it (so an edges header that reaches for
#     the session fails here, even if no edges source includes it yet);
#   - an edge that includes the session, any mode or other model header, or the app, does not
#     compile: the edges' include path lacks those headers;
#   - the core does not compile with Asio, curses, sockets or OpenSSL in it, nor with an edge's
#     or the app's header; with its own model headers it does.
cmake_policy(VERSION 3.25)
include("${FLAGS}")

set(work "${WORK_DIR}")
file(REMOVE_RECURSE "${work}")
file(MAKE_DIRECTORY "${work}")

function(flags_of layer out)
  set(args ${CXX_STANDARD_FLAG})
  foreach(dir IN LISTS ${layer}_INCLUDES)
    # As the build does, leave out the compiler's own folders (-I/usr/include breaks the
    # standard library's #include_next).
    if(NOT dir IN_LIST IMPLICIT_INCLUDES)
      list(APPEND args "-I${dir}")
    endif()
  endforeach()
  foreach(def IN LISTS ${layer}_DEFINITIONS)
    list(APPEND args "-D${def}")
  endforeach()
  # The options as the build has them, but not -Werror: preprocessing alone, without -O, makes
  # glibc warn that _FORTIFY_SOURCE needs optimisation.
  set(options ${${layer}_OPTIONS})
  list(REMOVE_ITEM options -Werror)
  list(APPEND args ${options})
  set(${out} ${args} PARENT_SCOPE)
endfunction()
flags_of(EDGES edges_flags)
flags_of(CORE core_flags)

set(failures "")
set(count 0)
# preprocess(<name> <flags var> <source text> <expect: pass|fail> [<text the error must name>])
function(preprocess name flags text expect)
  set(file "${work}/${name}.cpp")
  file(WRITE "${file}" "${text}\n")
  execute_process(COMMAND "${CXX}" ${${flags}} -E -o /dev/null "${file}"
                  RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
  math(EXPR n "${count} + 1")
  set(count ${n} PARENT_SCOPE)
  if(expect STREQUAL "pass" AND NOT rc EQUAL 0)
    set(failures "${failures}\n  ${name}: should compile, but:\n${err}" PARENT_SCOPE)
  elseif(expect STREQUAL "fail")
    if(rc EQUAL 0)
      set(failures "${failures}\n  ${name}: compiles, but the layers forbid it" PARENT_SCOPE)
    elseif(ARGC GREATER 4 AND NOT err MATCHES "${ARGV4}")
      set(failures "${failures}\n  ${name}: fails, but not for the reason expected (${ARGV4}):\n${err}" PARENT_SCOPE)
    endif()
  endif()
endfunction()

file(GLOB edges_headers RELATIVE "${SOURCE_DIR}/include" "${SOURCE_DIR}/include/echochat/edges/*.hpp")
file(GLOB core_headers RELATIVE "${SOURCE_DIR}/include" "${SOURCE_DIR}/include/echochat/core/*.hpp")
file(GLOB app_headers RELATIVE "${SOURCE_DIR}/include" "${SOURCE_DIR}/include/echochat/app/*.hpp")

foreach(h IN LISTS edges_headers)
  string(MAKE_C_IDENTIFIER "edges_sees_${h}" name)
  preprocess(${name} edges_flags "#include \"${h}\"" pass)
endforeach()

foreach(h IN LISTS core_headers app_headers)
  get_filename_component(base "${h}" NAME)
  string(MAKE_C_IDENTIFIER "edge_includes_${h}" name)
  if(h MATCHES "^echochat/core/" AND base IN_LIST VOCABULARY)
    preprocess(${name} edges_flags "#include \"${h}\"" pass)
  else()
    string(REPLACE "." "\\." pattern "${base}")
    preprocess(${name} edges_flags "#include \"${h}\"" fail "${pattern}")
  endif()
endforeach()
# The rule by name, whatever the vocabulary says: the session and the modes stay out of reach.
foreach(h session.hpp mode.hpp chat_mode.hpp local_echo_mode.hpp search_modes.hpp observer.hpp echo_observer.hpp)
  if(h IN_LIST VOCABULARY)
    list(APPEND failures "\n  cmake/Layers.cmake lists ${h} in the core's vocabulary: the edges must not see it")
  endif()
endforeach()

preprocess(core_sees_its_model core_flags "#include \"echochat/core/session.hpp\"\n#include \"echochat/core/chat_mode.hpp\"" pass)
preprocess(core_includes_asio core_flags "#include <boost/asio/io_context.hpp>" fail "poisoned")
preprocess(core_includes_beast core_flags "#include <boost/beast/websocket.hpp>" fail "poisoned")
preprocess(core_includes_curses core_flags "#include <curses.h>" fail "poisoned")
preprocess(core_includes_sockets core_flags "#include <sys/socket.h>" fail "poisoned")
preprocess(core_includes_resolver core_flags "#include <netdb.h>" fail "poisoned")
preprocess(core_includes_openssl core_flags "#include <openssl/ssl.h>" fail "poisoned")
preprocess(core_includes_an_edge core_flags "#include \"echochat/edges/channels.hpp\"" fail "channels\\.hpp")
preprocess(core_includes_the_app core_flags "#include \"echochat/app/app.hpp\"" fail "app\\.hpp")

if(failures)
  message(FATAL_ERROR "the layers do not hold:${failures}")
endif()
message(STATUS "the layers hold: ${count} compiles checked")
