# ugwBundled.cmake - the bundled bindings in generated/, made from
# schema/events.toml and checked into git.
#
# With UGW_REGENERATE AUTO (when ugw is the top-level project and a Python with
# jinja2 is found) or ON, the build regenerates generated/ whenever the schema
# or the generator changes; `check-generated` fails when generated/ differs from
# what the generator makes. A project that includes ugw builds the checked-in
# files as they are and writes nothing into ugw's source tree.

set(UGW_GEN_DIR ${PROJECT_SOURCE_DIR}/generated)
set(UGW_BUNDLED_SOURCES ${UGW_GEN_DIR}/ugw_events.c ${UGW_GEN_DIR}/ugw_fixtures.c)
set(UGW_CODEGEN_ARGS --schema schema/events.toml --prefix ugw --header-dir ugw --cli)
ugw_codegen_sources(UGW_CODEGEN_SOURCES)

add_custom_target(ugw_generate_bundled)
if(UGW_PYTHON AND NOT UGW_REGENERATE STREQUAL "OFF")
  add_custom_command(
    OUTPUT ${PROJECT_BINARY_DIR}/codegen.stamp
    COMMAND ${UGW_PYTHON} ${PROJECT_SOURCE_DIR}/codegen/ugw_codegen.py ${UGW_CODEGEN_ARGS}
            --out generated --stamp ${PROJECT_BINARY_DIR}/codegen.stamp
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    DEPENDS ${PROJECT_SOURCE_DIR}/schema/events.toml ${UGW_CODEGEN_SOURCES}
    COMMENT "Generating bindings from schema/events.toml"
    VERBATIM)
  add_custom_target(ugw_regenerate DEPENDS ${PROJECT_BINARY_DIR}/codegen.stamp)
  add_dependencies(ugw_generate_bundled ugw_regenerate)
endif()

# check-generated: generate into a temporary folder, fail on any difference.
if(UGW_PYTHON)
  add_custom_target(check-generated
    COMMAND ${CMAKE_COMMAND} -E rm -rf ${PROJECT_BINARY_DIR}/check-generated
    COMMAND ${UGW_PYTHON} ${PROJECT_SOURCE_DIR}/codegen/ugw_codegen.py --quiet ${UGW_CODEGEN_ARGS}
            --out ${PROJECT_BINARY_DIR}/check-generated
    COMMAND diff -r ${PROJECT_BINARY_DIR}/check-generated ${UGW_GEN_DIR}
    COMMAND ${CMAKE_COMMAND} -E echo "check-generated: generated/ equals what schema/events.toml makes"
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    VERBATIM)
else()
  add_custom_target(check-generated
    COMMAND ${CMAKE_COMMAND} -E echo "check-generated needs Python 3.11+ with jinja2: apt-get install python3-jinja2"
    COMMAND ${CMAKE_COMMAND} -E false)
endif()

# check-compat: the bundled schema against its released baseline
# (schema/baseline/events-<version>.toml); fails on a change that breaks
# receivers or senders unless schema/events.toml raised its version.
set(UGW_COMPAT_BASELINE ${PROJECT_SOURCE_DIR}/schema/baseline/events-1.toml)
if(UGW_PYTHON)
  add_custom_target(check-compat
    COMMAND ${UGW_PYTHON} ${PROJECT_SOURCE_DIR}/codegen/ugw_codegen.py diff --check-version
            ${UGW_COMPAT_BASELINE} ${PROJECT_SOURCE_DIR}/schema/events.toml
    WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
    VERBATIM)
else()
  add_custom_target(check-compat
    COMMAND ${CMAKE_COMMAND} -E echo "check-compat needs Python 3.11+: apt-get install python3"
    COMMAND ${CMAKE_COMMAND} -E false)
endif()
