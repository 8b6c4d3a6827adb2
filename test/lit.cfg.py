# -*- Python -*-
# lit configuration for moec's FileCheck tests. GoogleTest cases live in the
# Unit/ suite, which lit discovers through its own site config.

import os

import lit.formats
from lit.llvm import llvm_config

config.name = "moec"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.moec_obj_root, "test")
config.excludes = ["Inputs", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]

config.substitutions.append(("%moec_src", config.moec_src_root))
config.substitutions.append(("%moec_obj", config.moec_obj_root))
# LLVM's libraries, next to its tools: libomp for objects compiled with
# threads > 1.
config.substitutions.append(
    ("%llvm_lib_dir",
     os.path.join(os.path.dirname(config.llvm_tools_dir), "lib")))

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.add_tool_substitutions(
    ["moe-opt", "moe-translate", "moe-run", "moe-bench"],
    [config.moec_tools_dir])
llvm_config.add_tool_substitutions(
    ["mlir-opt", "mlir-translate", "llc", "clang"], [config.llvm_tools_dir])
