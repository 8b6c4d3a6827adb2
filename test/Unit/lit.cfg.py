# -*- Python -*-
# Runs every GoogleTest binary named *Tests under the build's test/Unit; lit
# reports each test case on its own.

import lit.formats

config.name = "moec-unit"
config.test_format = lit.formats.GoogleTest(".", "Tests")
config.test_source_root = config.moec_unit_dir
config.test_exec_root = config.moec_unit_dir
