# Builds the .deb with cpack into OUT and runs lintian on it: the package must have no tag.
file(REMOVE_RECURSE "${OUT}")
execute_process(COMMAND ${CPACK} -G DEB --config "${BUILD_DIR}/CPackConfig.cmake" -B "${OUT}"
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "cpack -G DEB failed (${rc}):\n${out}")
endif()
file(GLOB debs "${OUT}/*.deb")
list(LENGTH debs count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "cpack made ${count} .deb files: ${debs}")
endif()
# Every tag fails it, down to the pedantic ones, apart from those lintian cannot apply here.
execute_process(COMMAND lintian --fail-on error,warning,info,pedantic --display-level ">=pedantic"
                        ${LINTIAN_SUPPRESS} ${debs}
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "lintian found something in ${debs} (${rc}):\n${out}")
endif()
message(STATUS "lintian: ${debs} is clean\n${out}")
