# Warnings: on for Ferrum's own code; errors when FERRUM_WERROR is ON (scripts/build and CI).
option(FERRUM_WERROR "Treat compiler warnings as errors" OFF)

function(ferrum_target_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wcast-align -Wunused
    -Woverloaded-virtual -Wimplicit-fallthrough)
  if(FERRUM_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()
