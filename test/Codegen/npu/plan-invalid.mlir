// RUN: moe-opt %s --split-input-file --verify-diagnostics --moe-target=ascend-910b --moe-decompose-layer --moe-npu-select-tiles --moe-npu-plan
// RUN: not moe-opt %s --split-input-file --moe-npu-plan 2>&1 | FileCheck %s --check-prefix=NOTARGET
// RUN: not moe-opt %s --split-input-file --moe-target=cpu-host --moe-npu-select-tiles 2>&1 | FileCheck %s --check-prefix=CPU
// RUN: not moe-opt %s --split-input-file --moe-target=ascend-910b --moe-npu-plan 2>&1 | FileCheck %s --check-prefix=UNTILED

// NOTARGET: error: planning needs an NPU target: the module has no 'moe.target' #moe.target
// CPU: error: 'moe.target' is 'cpu-host', a cpu target; planning needs kind "npu"
// UNTILED: error: 'linalg.matmul' op has no #moe_npu.gemm_tiling 'moe_npu.tiling' (run --moe-npu-select-tiles first)

func.func @capacity(%x: tensor<?x64xf32>, %router: tensor<64x8xf32>,
                    %wg: tensor<8x64x32xf32>, %wd: tensor<8x32x64xf32>)
    -> tensor<?x64xf32> {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%t) : tensor<?x8xf32>
  %zero = arith.constant 0.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x8xf32>) -> tensor<?x8xf32>
  %logits = linalg.matmul ins(%x, %router : tensor<?x64xf32>, tensor<64x8xf32>) outs(%z : tensor<?x8xf32>) -> tensor<?x8xf32>
  %w, %ids = moe.router %logits routing <k = 2> : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  // expected-error @below {{has no NPU plan with 'block' or 'capacity' padding yet}}
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 8 capacity = 4 : tensor<?x64xf32>, tensor<?x2xi32> -> tensor<32x64xf32>, tensor<32xi32>, tensor<9xi32>
  %g = moe.grouped_matmul %xs, %wg, %offsets : tensor<32x64xf32>, tensor<8x64x32xf32>, tensor<9xi32> -> tensor<32x32xf32>
  %ys = moe.grouped_matmul %g, %wd, %offsets : tensor<32x32xf32>, tensor<8x32x64xf32>, tensor<9xi32> -> tensor<32x64xf32>
  %y = moe.combine %ys, %perm, %w : tensor<32x64xf32>, tensor<32xi32>, tensor<?x2xf32> -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

func.func @lone_swiglu(%g: tensor<?x64xf32>, %u: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-error @below {{has no NPU plan: SwiGLU is planned fused with its gate and up GEMMs}}
  %h = moe.swiglu %g, %u : tensor<?x64xf32>, tensor<?x64xf32> -> tensor<?x64xf32>
  return %h : tensor<?x64xf32>
}

// -----

func.func @odd_experts(%x: tensor<?x64xf32>, %router: tensor<64x12xf32>) -> tensor<?x2xf32> {
  %c0 = arith.constant 0 : index
  %t = tensor.dim %x, %c0 : tensor<?x64xf32>
  %e = tensor.empty(%t) : tensor<?x12xf32>
  %zero = arith.constant 0.0 : f32
  %z = linalg.fill ins(%zero : f32) outs(%e : tensor<?x12xf32>) -> tensor<?x12xf32>
  %logits = linalg.matmul ins(%x, %router : tensor<?x64xf32>, tensor<64x12xf32>) outs(%z : tensor<?x12xf32>) -> tensor<?x12xf32>
  // expected-error @below {{a row of 12 f32 logits is not a whole number of 32-byte UB blocks}}
  %w, %ids = moe.router %logits routing <k = 2> : (tensor<?x12xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  return %w : tensor<?x2xf32>
}

// -----

func.func @unplanned_op(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-error @below {{has no NPU plan (the planner takes decomposed moe layers}}
  %y = math.exp %x : tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

func.func @returns_argument(%x: tensor<?x64xf32>) -> tensor<?x64xf32> {
  // expected-error @below {{returns argument 0 unchanged, which a plan does not copy}}
  return %x : tensor<?x64xf32>
}

// -----

// f64 layers compile for the CPU (gradient checks); the cube has no f64 mode.
func.func @f64_layer(%x: tensor<?x64xf64>, %router: tensor<64x8xf64>,
                     %wg: tensor<8x64x32xf64>, %wu: tensor<8x64x32xf64>,
                     %wd: tensor<8x32x64xf64>) -> tensor<?x64xf64> {
  // expected-error @below {{cannot be tiled for the target: target 'ascend-910b' has no cube mode for f64 (it has: f16, bf16, i8, f32)}}
  %y = moe.layer %x router %router experts %wg, %wu, %wd routing <k = 2>
      : (tensor<?x64xf64>, tensor<64x8xf64>, tensor<8x64x32xf64>, tensor<8x64x32xf64>, tensor<8x32x64xf64>) -> tensor<?x64xf64>
  return %y : tensor<?x64xf64>
}
