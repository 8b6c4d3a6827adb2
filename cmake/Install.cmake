# `cmake --install` layout: lib/libmoec.so, include/moec/..., and the CMake
# package lib/cmake/moec so another project can find_package(moec).
include(CMakePackageConfigHelpers)

install(TARGETS moec EXPORT moecTargets
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  COMPONENT moec)
install(FILES runtime/include/moec/moec.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/moec COMPONENT moec)
install(FILES
  runtime/include/moec/Model/HFConfig.h
  runtime/include/moec/Model/LayerConfig.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/moec/Model COMPONENT moec)
install(FILES
  runtime/include/moec/Runtime/Compiler.h
  runtime/include/moec/Runtime/Npy.h
  runtime/include/moec/Runtime/Signature.h
  runtime/include/moec/Runtime/TensorView.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/moec/Runtime COMPONENT moec)

set(MOEC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/moec)
install(EXPORT moecTargets NAMESPACE moec::
  DESTINATION ${MOEC_CMAKE_DIR} COMPONENT moec)
configure_package_config_file(cmake/moecConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/moecConfig.cmake
  INSTALL_DESTINATION ${MOEC_CMAKE_DIR})
write_basic_package_version_file(
  ${CMAKE_CURRENT_BINARY_DIR}/moecConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES
  ${CMAKE_CURRENT_BINARY_DIR}/moecConfig.cmake
  ${CMAKE_CURRENT_BINARY_DIR}/moecConfigVersion.cmake
  DESTINATION ${MOEC_CMAKE_DIR} COMPONENT moec)
