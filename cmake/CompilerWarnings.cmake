# Warnings as a function applied per target; ECHOCHAT_WARNINGS_AS_ERRORS turns them into errors.
function(echochat_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
    # GCC 12 misreports Asio's awaitable frame allocator (operator new/delete pair) as mismatched.
    -Wno-mismatched-new-delete
    # A pointer the optimiser proves null where it is dereferenced (found in optimised builds:
    # the analysis runs with the optimiser), and a virtual that overrides without saying so.
    -Wnull-dereference -Wsuggest-override
    # GCC's own: an if-else-if chain testing the same condition twice, both branches of an if
    # or ?: the same, and && or || where the other was meant (x == 1 && x == 2, a || a).
    $<$<CXX_COMPILER_ID:GNU>:-Wduplicated-cond -Wduplicated-branches -Wlogical-op>)
  if(ECHOCHAT_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
