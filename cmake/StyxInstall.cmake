# The installable CMake package: `cmake --install build --prefix P` puts
#   P/lib/libstyx_{common,messages,providers,actors,runtime}.a   the layers
#   P/include/styx/...                                            the embedding API's headers
#   P/lib/cmake/styx/styxConfig.cmake, styxConfigVersion.cmake, styxTargets.cmake, FindCAF.cmake
#   P/bin/styx
# so that an out-of-tree project (examples/embed/) does
#   find_package(styx 0.1 CONFIG REQUIRED)
#   target_link_libraries(app PRIVATE styx::engine)

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# What an embedder links: the runtime layer and, through it, every layer below.
add_library(styx_engine INTERFACE)
target_link_libraries(styx_engine INTERFACE styx_runtime)
add_library(styx::engine ALIAS styx_engine)
set_target_properties(styx_engine PROPERTIES EXPORT_NAME engine)
foreach(_layer common messages providers actors runtime)
  set_target_properties(styx_${_layer} PROPERTIES EXPORT_NAME ${_layer})
endforeach()

# The public headers: runtime/engine.hpp (the facade) and what it includes, transitively
# (`g++ -MM` of a file that includes it), plus runtime/request_spec.hpp (YAML specs). The
# package test (scripts/embed_example.sh, ctest -L package) compiles against the installed
# copy, so a header missing here fails there. Internal headers (actors' state, providers'
# wire formats, the engine's impl) stay out.
set(STYX_PUBLIC_HEADERS
  actors/atoms.hpp actors/placement.hpp actors/placement_quote.hpp actors/protocol.hpp
  actors/provider_config.hpp actors/selector.hpp
  common/backoff.hpp common/batch_window.hpp common/ec2_rate_limits.hpp
  common/retry_budget.hpp common/time.hpp common/token_bucket.hpp common/uuid.hpp
  messages/admission.hpp messages/cloud_error.hpp messages/cloud_types.hpp messages/events.hpp
  messages/ids.hpp messages/instance_record.hpp messages/instance_state.hpp
  messages/protocol.hpp messages/provision_request.hpp messages/resources.hpp
  messages/state_counts.hpp messages/state_reason.hpp messages/styx_error.hpp
  providers/aws/ec2_options.hpp providers/azure/azure_options.hpp providers/cloud_api.hpp
  providers/gcp/gcp_options.hpp providers/http.hpp providers/kubernetes/k8s_options.hpp
  providers/local/local_options.hpp providers/sim/sim_config.hpp
  runtime/engine.hpp runtime/engine_config.hpp runtime/node.hpp runtime/reach.hpp
  runtime/request_spec.hpp)
foreach(_h IN LISTS STYX_PUBLIC_HEADERS)
  get_filename_component(_dir "${_h}" DIRECTORY)
  install(FILES "${PROJECT_SOURCE_DIR}/${_h}"
          DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/styx/${_dir}" COMPONENT devel)
endforeach()

set(_styx_cmake_dir "${CMAKE_INSTALL_LIBDIR}/cmake/styx")
install(TARGETS styx_engine styx_runtime styx_actors styx_providers styx_messages styx_common
        EXPORT styxTargets
        ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT devel
        LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}" COMPONENT devel
        INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}/styx")
install(TARGETS styx RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}" COMPONENT runtime)
install(EXPORT styxTargets NAMESPACE styx:: FILE styxTargets.cmake
        DESTINATION "${_styx_cmake_dir}" COMPONENT devel)
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/styxConfig.cmake.in"
                              "${PROJECT_BINARY_DIR}/styxConfig.cmake"
                              INSTALL_DESTINATION "${_styx_cmake_dir}")
# 0.x: a new minor version may break the API, so only the same minor one is compatible.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/styxConfigVersion.cmake"
                                 VERSION "${PROJECT_VERSION}" COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/styxConfig.cmake"
              "${PROJECT_BINARY_DIR}/styxConfigVersion.cmake"
              "${PROJECT_SOURCE_DIR}/cmake/FindCAF.cmake"
        DESTINATION "${_styx_cmake_dir}" COMPONENT devel)
