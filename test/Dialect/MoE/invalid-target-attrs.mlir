// RUN: moe-opt %s -split-input-file -verify-diagnostics

// Each verifier branch of #moe.memory, #moe.matrix and #moe.target; the
// attributes are checked as they are built, so the parser reports them.

// expected-error @+1 {{memory level 'UB': align must be a power of two, got 48}}
module attributes {moe.m = #moe.memory<"UB", capacity = 1024, align = 48>} {}

// -----

// expected-error @+1 {{memory level 'GM': bandwidth must be finite and non-negative, got -1.0}}
module attributes {moe.m = #moe.memory<"GM", capacity = 0, bandwidth = -1.0>} {}

// -----

// expected-error @+1 {{memory level needs a name}}
module attributes {moe.m = #moe.memory<"", capacity = 0>} {}

// -----

// expected-error @+1 {{matrix mode 'f16': k0 must be at least 1, got 0}}
module attributes {moe.m = #moe.matrix<f16, m0 = 16, k0 = 0, n0 = 16, macs = 1>} {}

// -----

// expected-error @+1 {{matrix mode element type must be an integer or float type, got 'index'}}
module attributes {moe.m = #moe.matrix<index, m0 = 16, k0 = 16, n0 = 16, macs = 1>} {}

// -----

// expected-error @+1 {{target 't': kind must be "cpu" or "npu", got "gpu"}}
module attributes {moe.target = #moe.target<name = "t", kind = "gpu", clock_ghz = 1.0, cube_cores = 0, vector_cores = 1, vector_width = 64, vector_block = 64, matrix = [], memory = [], copies = [], pipes = [], event_ids = 0, cross_core_event_ids = 0>} {}

// -----

// expected-error @+1 {{target 't': vector_cores must be at least 1}}
module attributes {moe.target = #moe.target<name = "t", kind = "cpu", clock_ghz = 0.0, cube_cores = 0, vector_cores = 0, vector_width = 64, vector_block = 64, matrix = [], memory = [], copies = [], pipes = [], event_ids = 0, cross_core_event_ids = 0>} {}

// -----

// expected-error @+1 {{target 't': vector_width (100) must be a positive multiple of vector_block (32)}}
module attributes {moe.target = #moe.target<name = "t", kind = "npu", clock_ghz = 1.0, cube_cores = 0, vector_cores = 1, vector_width = 100, vector_block = 32, matrix = [], memory = [], copies = [], pipes = [], event_ids = 0, cross_core_event_ids = 0>} {}

// -----

// expected-error @+1 {{target 't': clock_ghz must be finite and non-negative}}
module attributes {moe.target = #moe.target<name = "t", kind = "npu", clock_ghz = -1.0, cube_cores = 0, vector_cores = 1, vector_width = 64, vector_block = 32, matrix = [], memory = [], copies = [], pipes = [], event_ids = 0, cross_core_event_ids = 0>} {}

// -----

// expected-error @+1 {{target memory[0] must be a #moe.memory, got "UB"}}
module attributes {moe.target = #moe.target<name = "t", kind = "npu", clock_ghz = 1.0, cube_cores = 0, vector_cores = 1, vector_width = 64, vector_block = 32, matrix = [], memory = ["UB"], copies = [], pipes = [], event_ids = 0, cross_core_event_ids = 0>} {}

// -----

// expected-error @+1 {{target 't': matrix modes need cube_cores >= 1}}
module attributes {moe.target = #moe.target<name = "t", kind = "npu", clock_ghz = 1.0, cube_cores = 0, vector_cores = 1, vector_width = 64, vector_block = 32, matrix = [#moe.matrix<f16, m0 = 16, k0 = 16, n0 = 16, macs = 4096>], memory = [], copies = [], pipes = [], event_ids = 0, cross_core_event_ids = 0>} {}

// -----

// expected-error @+1 {{target 't': memory level 'UB' appears twice}}
module attributes {moe.target = #moe.target<name = "t", kind = "npu", clock_ghz = 1.0, cube_cores = 0, vector_cores = 1, vector_width = 64, vector_block = 32, matrix = [], memory = [#moe.memory<"UB", capacity = 1>, #moe.memory<"UB", capacity = 2>], copies = [], pipes = [], event_ids = 0, cross_core_event_ids = 0>} {}

// -----

// expected-error @+1 {{target 't': copy UB -> L1 names memory level 'L1', which the target does not have}}
module attributes {moe.target = #moe.target<name = "t", kind = "npu", clock_ghz = 1.0, cube_cores = 0, vector_cores = 1, vector_width = 64, vector_block = 32, matrix = [], memory = [#moe.memory<"UB", capacity = 1>], copies = [#moe.copy<"UB" -> "L1" on "MTE3">], pipes = ["MTE3"], event_ids = 0, cross_core_event_ids = 0>} {}

// -----

// expected-error @+1 {{target 't': copy GM -> UB runs on pipe 'MTE9', which is not in pipes}}
module attributes {moe.target = #moe.target<name = "t", kind = "npu", clock_ghz = 1.0, cube_cores = 0, vector_cores = 1, vector_width = 64, vector_block = 32, matrix = [], memory = [#moe.memory<"GM", capacity = 0>, #moe.memory<"UB", capacity = 1>], copies = [#moe.copy<"GM" -> "UB" on "MTE9">], pipes = ["MTE2"], event_ids = 0, cross_core_event_ids = 0>} {}

// -----

// expected-error @+1 {{duplicate or unknown struct parameter name: cores}}
module attributes {moe.target = #moe.target<name = "t", cores = 1>} {}
