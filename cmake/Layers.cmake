# The layers as a rule of the build: each library's include path shows it only the headers its
# layer may use, so an edge that includes the session does not compile ("No such file"), rather
# than relying on review to notice.
#
#   echochat_core   src/core      sees the core's headers only, and cannot name Asio, curses,
#                                 sockets or OpenSSL (cmake/core_layer_guard.hpp)
#   echochat_edges  src/edges     sees its own headers and the core's vocabulary (below): the
#                                 events, frames, keys and text helpers; not the session, not
#                                 the modes, not the app
#   echochat_app    src/app       sees everything: it wires the session to the edges
#
# The headers stay where they are in include/echochat/; each layer's view is a folder of the
# build tree holding symbolic links to the headers it may see, made at configure time (a new
# header is picked up at the next build, through the CONFIGURE_DEPENDS globs). The core's
# headers are split in two views: the vocabulary, which the core exports to everyone, and the
# model (everything else: session, modes, options...), which only echochat_model carries, for
# the app and the core's tests. A new core header is model until it is listed below.
#
# tests/layers_check.cmake (ctest, label unit) proves the rule: an edge that includes the
# session, or a mode, or the app, fails to compile; so does a core file that includes Asio.

# The core headers the edges may include: what a frame shows (presentation.hpp) is here, the
# session (session.hpp) and the modes themselves (mode.hpp, *_mode.hpp) are not.
set(ECHOCHAT_CORE_VOCABULARY
  address.hpp backoff.hpp event.hpp frame.hpp happy_eyeballs.hpp history.hpp key.hpp line_framer.hpp presentation.hpp
  outbox.hpp proxy.hpp row_diff.hpp sanitize.hpp text_width.hpp transcript.hpp utf8.hpp ws_deflate.hpp ws_frames.hpp ws_handshake.hpp)

set(ECHOCHAT_LAYERS_DIR ${PROJECT_BINARY_DIR}/layers)

# echochat_layer_view(<view> <subdir> <headers...>): links include/<subdir>/<header> for each
# header into ${ECHOCHAT_LAYERS_DIR}/<view>/<subdir>/, which is the view's include root. Links
# to files only, never to folders, so removing the view never reaches into the source tree.
function(echochat_layer_view view subdir)
  set(root ${ECHOCHAT_LAYERS_DIR}/${view})
  file(REMOVE_RECURSE ${root})
  file(MAKE_DIRECTORY ${root}/${subdir})
  foreach(header IN LISTS ARGN)
    file(CREATE_LINK ${PROJECT_SOURCE_DIR}/include/${subdir}/${header} ${root}/${subdir}/${header} SYMBOLIC)
  endforeach()
endfunction()

file(GLOB _core_headers CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}/include/echochat/core
     ${PROJECT_SOURCE_DIR}/include/echochat/core/*.hpp)
file(GLOB _edges_headers CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}/include/echochat/edges
     ${PROJECT_SOURCE_DIR}/include/echochat/edges/*.hpp)
file(GLOB _app_headers CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}/include/echochat/app
     ${PROJECT_SOURCE_DIR}/include/echochat/app/*.hpp)
foreach(header IN LISTS ECHOCHAT_CORE_VOCABULARY)
  if(NOT header IN_LIST _core_headers)
    message(FATAL_ERROR "cmake/Layers.cmake: the core's vocabulary lists ${header}, which is not in include/echochat/core/")
  endif()
endforeach()
set(_model_headers ${_core_headers})
list(REMOVE_ITEM _model_headers ${ECHOCHAT_CORE_VOCABULARY})

echochat_layer_view(vocabulary echochat/core ${ECHOCHAT_CORE_VOCABULARY})
echochat_layer_view(model echochat/core ${_model_headers})
echochat_layer_view(edges echochat/edges ${_edges_headers})
echochat_layer_view(app echochat/app ${_app_headers})

set(ECHOCHAT_VOCABULARY_INCLUDE ${ECHOCHAT_LAYERS_DIR}/vocabulary)
set(ECHOCHAT_MODEL_INCLUDE ${ECHOCHAT_LAYERS_DIR}/model)
set(ECHOCHAT_EDGES_INCLUDE ${ECHOCHAT_LAYERS_DIR}/edges)
set(ECHOCHAT_APP_INCLUDE ${ECHOCHAT_LAYERS_DIR}/app)
set(ECHOCHAT_CORE_GUARD ${CMAKE_CURRENT_LIST_DIR}/core_layer_guard.hpp)
