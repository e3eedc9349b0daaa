# Sanitizers as options (surfaced as presets in CMakePresets.json), applied to every target.
option(ECHOCHAT_SANITIZE_ADDRESS_UB "Build with AddressSanitizer + UndefinedBehaviorSanitizer" OFF)
option(ECHOCHAT_SANITIZE_THREAD "Build with ThreadSanitizer" OFF)

if(ECHOCHAT_SANITIZE_ADDRESS_UB AND ECHOCHAT_SANITIZE_THREAD)
  message(FATAL_ERROR "AddressSanitizer and ThreadSanitizer cannot be combined; pick one preset.")
endif()
if(ECHOCHAT_SANITIZE_ADDRESS_UB)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined -fno-sanitize-recover=all)
endif()
if(ECHOCHAT_SANITIZE_THREAD)
  # Asio uses std::atomic_thread_fence, which TSan does not model; GCC warns (-Wtsan) for each.
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -Wno-tsan)
  add_link_options(-fsanitize=thread)
endif()

# The fuzzers: every target gets libFuzzer's coverage hooks and ASan + UBSan (clang only).
if(ECHOCHAT_BUILD_FUZZERS)
  if(NOT CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    message(FATAL_ERROR "The fuzzers need clang: configure with CXX=clang++ (scripts/fuzz does).")
  endif()
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()
