# Locates LLVM/MLIR 22 (Debian's llvm-22-dev / libmlir-22-dev) and sets up the
# AddMLIR helpers so that every target links the single libMLIR.so.
# -DMLIR_DIR=... wins; otherwise Debian's LLVM 22 location is searched first.
find_package(MLIR REQUIRED CONFIG HINTS /usr/lib/llvm-22/lib/cmake/mlir)
if(NOT LLVM_VERSION_MAJOR EQUAL 22)
  message(FATAL_ERROR "moec needs LLVM/MLIR 22; ${MLIR_DIR} is "
    "${LLVM_PACKAGE_VERSION}. Run scripts/setup.sh or pass -DMLIR_DIR=...")
endif()
message(STATUS "Using MLIRConfig.cmake in: ${MLIR_DIR}")
message(STATUS "Using LLVMConfig.cmake in: ${LLVM_DIR}")

set(LLVM_RUNTIME_OUTPUT_INTDIR ${CMAKE_BINARY_DIR}/bin)
set(LLVM_LIBRARY_OUTPUT_INTDIR ${CMAKE_BINARY_DIR}/lib)
set(MLIR_BINARY_DIR ${CMAKE_BINARY_DIR})
list(APPEND CMAKE_MODULE_PATH "${MLIR_CMAKE_DIR}" "${LLVM_CMAKE_DIR}")

# Debian ships lit as bin/lit, not the llvm-lit its config points at.
set(LLVM_EXTERNAL_LIT "${LLVM_TOOLS_BINARY_DIR}/lit" CACHE STRING "lit driver")

# LLVM_DEFINITIONS is one space-separated string; split it or every TU gets a
# single mangled -D.
separate_arguments(LLVM_DEFINITIONS_LIST NATIVE_COMMAND ${LLVM_DEFINITIONS})
add_definitions(${LLVM_DEFINITIONS_LIST})

if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang" AND NOT LLVM_USE_LINKER)
  find_program(MOEC_LLD ld.lld PATHS ${LLVM_TOOLS_BINARY_DIR} NO_DEFAULT_PATH)
  if(MOEC_LLD)
    set(LLVM_USE_LINKER lld)
  endif()
endif()

include(TableGen)
include(AddLLVM)
include(AddMLIR)
include(HandleLLVMOptions)

# Never mix static MLIR archives with libMLIR.so: link the dylib only.
set(MLIR_LINK_MLIR_DYLIB ON)

include_directories(SYSTEM ${LLVM_INCLUDE_DIRS} ${MLIR_INCLUDE_DIRS})
link_directories(${LLVM_BUILD_LIBRARY_DIR})
