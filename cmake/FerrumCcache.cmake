# Use ccache when it is installed; it makes rebuilds on a 2-core machine bearable.
find_program(FERRUM_CCACHE ccache)
if(FERRUM_CCACHE)
  set(CMAKE_C_COMPILER_LAUNCHER ${FERRUM_CCACHE})
  set(CMAKE_CXX_COMPILER_LAUNCHER ${FERRUM_CCACHE})
endif()
