# Included before project(): pick clang-22 and lld-22 when present and the user
# did not name a compiler (CC/CXX or -DCMAKE_CXX_COMPILER).
if(NOT DEFINED CMAKE_CXX_COMPILER AND NOT DEFINED ENV{CXX})
  find_program(MOEC_CLANGXX clang++ PATHS /usr/lib/llvm-22/bin NO_DEFAULT_PATH)
  find_program(MOEC_CLANG clang PATHS /usr/lib/llvm-22/bin NO_DEFAULT_PATH)
  if(MOEC_CLANGXX AND MOEC_CLANG)
    set(CMAKE_CXX_COMPILER "${MOEC_CLANGXX}" CACHE FILEPATH "C++ compiler")
    set(CMAKE_C_COMPILER "${MOEC_CLANG}" CACHE FILEPATH "C compiler")
  endif()
endif()
