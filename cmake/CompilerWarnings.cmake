# Warnings as a function applied per target; ECHOCHAT_WARNINGS_AS_ERRORS turns them into errors.
function(echochat_set_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wold-style-cast -Wcast-align
    -Wunused -Woverloaded-virtual -Wconversion -Wsign-conversion
    -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough
    # GCC 12 misreports Asio's awaitable frame allocator (operator new/delete pair) as mismatched.
    -Wno-mismatched-new-delete)
  if(ECHOCHAT_WARNINGS_AS_ERRORS)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
