# ugwInstall.cmake - what `cmake --install` puts under the prefix:
#   include/ugw/               public and bundled generated headers
#   lib/                       the libraries (static or shared)
#   lib/ugw/ugw-commands.so    the command's module: the commands that sign,
#                              send or receive, loaded when one runs
#   bin/ugw, bin/ugw-codegen   the command and the generator's launcher
#   share/ugw/codegen/         the generator with its templates
#   share/ugw/schema/          the bundled schema, to extend or copy
#   lib/cmake/ugw/             the CMake package (targets ugw::...)
#   lib/pkgconfig/             ugw.pc, ugw-client.pc, ugw-receiver.pc, ugw-relay.pc
#   share/man/man1/ugw.1, share/doc/ugw/

include(CMakePackageConfigHelpers)

set(UGW_INSTALL_CMAKEDIR ${CMAKE_INSTALL_LIBDIR}/cmake/ugw CACHE STRING "Where the CMake package goes")
set(UGW_INSTALL_CODEGENDIR ${CMAKE_INSTALL_DATADIR}/ugw/codegen)
set(UGW_INSTALL_SCHEMA ${CMAKE_INSTALL_DATADIR}/ugw/schema/events.toml)

get_property(_ugw_targets GLOBAL PROPERTY UGW_INSTALLED_TARGETS)
install(TARGETS ${_ugw_targets} EXPORT ugwTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
if(TARGET ugw_command)
  install(TARGETS ugw_command RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(FILES ${PROJECT_SOURCE_DIR}/docs/ugw.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
endif()
if(TARGET ugw_cli_module)  # for ugw and every command built with ugw_generate(... CLI)
  install(TARGETS ugw_cli_module LIBRARY DESTINATION ${UGW_INSTALL_MODULEDIR})
endif()

# Headers: the hand-written ones, minus those of parts not built, and the
# bundled generated ones.
set(_ugw_headers ugw_export.h ugw_version.h ugw_runtime.h ugw_generated_support.h ugw_metrics.h ugw_lines.h)
if(UGW_BUILD_CLIENT)
  list(APPEND _ugw_headers ugw_webhook.h ugw_client.h ugw_spool.h ugw_receiver.h)
endif()
if(UGW_BUILD_RELAY)
  list(APPEND _ugw_headers ugw_relay.h)
endif()
if(UGW_BUILD_CLI)
  list(APPEND _ugw_headers ugw_cli.h ugw_receiver_mhd.h ugw_metrics_http.h)
endif()
list(TRANSFORM _ugw_headers PREPEND ${PROJECT_SOURCE_DIR}/include/ugw/)
install(FILES ${_ugw_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ugw)
install(FILES ${UGW_GEN_DIR}/ugw/ugw_events.h ${UGW_GEN_DIR}/ugw/ugw_fixtures.h
              ${UGW_GEN_DIR}/ugw/ugw_events_client.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/ugw)

# The generator, its launcher, and the version it reports (written here once
# from ugw_version.h, so the installed generator needs no headers).
install(DIRECTORY ${PROJECT_SOURCE_DIR}/codegen/ DESTINATION ${UGW_INSTALL_CODEGENDIR}
        PATTERN __pycache__ EXCLUDE PATTERN "*.pyc" EXCLUDE PATTERN ugw-codegen EXCLUDE)
file(WRITE ${PROJECT_BINARY_DIR}/ugw_codegen_version.py "VERSION = \"${PROJECT_VERSION}\"\n")
install(FILES ${PROJECT_BINARY_DIR}/ugw_codegen_version.py
        DESTINATION ${UGW_INSTALL_CODEGENDIR}/ugwgen RENAME _version.py)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/codegen/ugw-codegen DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${PROJECT_SOURCE_DIR}/schema/events.toml DESTINATION ${CMAKE_INSTALL_DATADIR}/ugw/schema)

# The CMake package.
install(EXPORT ugwTargets NAMESPACE ugw:: DESTINATION ${UGW_INSTALL_CMAKEDIR})
if(BUILD_SHARED_LIBS)
  set(UGW_STATIC_LIBS OFF)
else()
  set(UGW_STATIC_LIBS ON)
endif()
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/ugwConfig.cmake.in
  ${PROJECT_BINARY_DIR}/ugwConfig.cmake
  INSTALL_DESTINATION ${UGW_INSTALL_CMAKEDIR}
  PATH_VARS UGW_INSTALL_CODEGENDIR UGW_INSTALL_SCHEMA)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/ugwConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMajorVersion)
install(FILES ${PROJECT_BINARY_DIR}/ugwConfig.cmake ${PROJECT_BINARY_DIR}/ugwConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/ugwGenerate.cmake
        DESTINATION ${UGW_INSTALL_CMAKEDIR})

# pkg-config: relocatable (prefix found from the .pc file's own place). With
# static libraries the dependencies are plain Requires, so that
# `pkg-config --libs` links without --static too.
set(_ugw_pcdir ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(UGW_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH _ugw_rel "/ugw-prefix/${_ugw_pcdir}" "/ugw-prefix")
  string(REGEX REPLACE "/$" "" _ugw_rel "${_ugw_rel}")
  set(UGW_PC_PREFIX "\${pcfiledir}/${_ugw_rel}")
endif()
if(UGW_STATIC_LIBS)
  set(UGW_PC_REQUIRES "Requires")
else()
  set(UGW_PC_REQUIRES "Requires.private")
endif()
configure_file(${PROJECT_SOURCE_DIR}/cmake/ugw.pc.in ${PROJECT_BINARY_DIR}/ugw.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/ugw.pc DESTINATION ${_ugw_pcdir})
if(UGW_BUILD_CLIENT)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/ugw-client.pc.in ${PROJECT_BINARY_DIR}/ugw-client.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/ugw-client.pc DESTINATION ${_ugw_pcdir})
endif()
if(UGW_BUILD_RELAY)
  configure_file(${PROJECT_SOURCE_DIR}/cmake/ugw-relay.pc.in ${PROJECT_BINARY_DIR}/ugw-relay.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/ugw-relay.pc DESTINATION ${_ugw_pcdir})
endif()
if(UGW_BUILD_CLI)  # the receiver's libmicrohttpd adapter is built with the command
  configure_file(${PROJECT_SOURCE_DIR}/cmake/ugw-receiver.pc.in ${PROJECT_BINARY_DIR}/ugw-receiver.pc @ONLY)
  install(FILES ${PROJECT_BINARY_DIR}/ugw-receiver.pc DESTINATION ${_ugw_pcdir})
endif()

install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/LICENSE ${PROJECT_SOURCE_DIR}/CHANGELOG.md
              ${PROJECT_SOURCE_DIR}/docs/CONTRACT.md ${PROJECT_SOURCE_DIR}/docs/INTEGRATION.md
              ${PROJECT_SOURCE_DIR}/docs/DEAD_LETTERS.md ${PROJECT_SOURCE_DIR}/docs/DURABILITY.md
              ${PROJECT_SOURCE_DIR}/docs/SCHEMA.md ${PROJECT_SOURCE_DIR}/docs/SCHEMA_CHECK.md
              ${PROJECT_SOURCE_DIR}/docs/SCHEMA_NESTED.md
              ${PROJECT_SOURCE_DIR}/docs/SCHEMA_ENVELOPE.md ${PROJECT_SOURCE_DIR}/docs/GENERATE.md
              ${PROJECT_SOURCE_DIR}/docs/SCHEMA_COMPAT.md
              ${PROJECT_SOURCE_DIR}/docs/OPERATIONS.md
        DESTINATION ${CMAKE_INSTALL_DOCDIR})
