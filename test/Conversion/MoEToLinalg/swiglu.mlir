// RUN: moe-opt %s --moe-lower-to-linalg --split-input-file | FileCheck %s

// Two operands, f32: one elementwise generic computing g / (1 + exp(-g)) * u.
// CHECK-LABEL: func.func @swiglu_f32(
// CHECK-SAME:      %[[G:[a-zA-Z0-9_]+]]: tensor<?x16xf32>, %[[U:[a-zA-Z0-9_]+]]: tensor<?x16xf32>)
// CHECK:         %[[DIM:.*]] = tensor.dim %[[G]], %{{.*}} : tensor<?x16xf32>
// CHECK:         %[[INIT:.*]] = tensor.empty(%[[DIM]]) : tensor<?x16xf32>
// CHECK:         %[[R:.*]] = linalg.generic
// CHECK-SAME:        iterator_types = ["parallel", "parallel"]
// CHECK-SAME:        ins(%[[G]], %[[U]] : tensor<?x16xf32>, tensor<?x16xf32>) outs(%[[INIT]] : tensor<?x16xf32>)
// CHECK:         ^bb0(%[[A:.*]]: f32, %[[B:.*]]: f32, %{{.*}}: f32):
// CHECK-NOT:       arith.minimumf
// CHECK:           %[[NEG:.*]] = arith.negf %[[A]] : f32
// CHECK:           %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK:           %[[DEN:.*]] = arith.addf %{{.*}}, %[[EXP]] : f32
// CHECK:           %[[SILU:.*]] = arith.divf %[[A]], %[[DEN]] : f32
// CHECK:           %[[PROD:.*]] = arith.mulf %[[SILU]], %[[B]] : f32
// CHECK:           linalg.yield %[[PROD]] : f32
// CHECK:         return %[[R]]
// CHECK-NOT:     moe.
func.func @swiglu_f32(%gate: tensor<?x16xf32>, %up: tensor<?x16xf32>)
    -> tensor<?x16xf32> {
  %h = moe.swiglu %gate, %up
      : tensor<?x16xf32>, tensor<?x16xf32> -> tensor<?x16xf32>
  return %h : tensor<?x16xf32>
}

// -----

// bf16 with a limit: extended to f32, gate clamped from above, up clamped to
// [-L, L] with the NaN-propagating min/max, result truncated.
// CHECK-LABEL: func.func @swiglu_bf16_limit(
// CHECK:         linalg.generic
// CHECK:         ^bb0(%[[A:.*]]: bf16, %[[B:.*]]: bf16, %{{.*}}: bf16):
// CHECK-DAG:       %[[G:.*]] = arith.extf %[[A]] : bf16 to f32
// CHECK-DAG:       %[[U:.*]] = arith.extf %[[B]] : bf16 to f32
// CHECK-DAG:       %[[HI:.*]] = arith.constant 7.500000e+00 : f32
// CHECK-DAG:       %[[LO:.*]] = arith.constant -7.500000e+00 : f32
// CHECK:           %[[GC:.*]] = arith.minimumf %[[G]], %[[HI]] : f32
// CHECK:           %[[UH:.*]] = arith.minimumf %[[U]], %[[HI]] : f32
// CHECK:           %[[UC:.*]] = arith.maximumf %[[UH]], %[[LO]] : f32
// CHECK:           math.exp
// CHECK:           %[[PROD:.*]] = arith.mulf %{{.*}}, %[[UC]] : f32
// CHECK:           %[[T:.*]] = arith.truncf %[[PROD]] : f32 to bf16
// CHECK:           linalg.yield %[[T]] : bf16
func.func @swiglu_bf16_limit(%gate: tensor<4x8xbf16>, %up: tensor<4x8xbf16>)
    -> tensor<4x8xbf16> {
  %h = moe.swiglu %gate, %up limit = 7.5
      : tensor<4x8xbf16>, tensor<4x8xbf16> -> tensor<4x8xbf16>
  return %h : tensor<4x8xbf16>
}

// -----

// Fused gate_up: the two halves are views of the operand, no copy.
// CHECK-LABEL: func.func @swiglu_fused_f16(
// CHECK-SAME:      %[[GU:[a-zA-Z0-9_]+]]: tensor<?x64xf16>)
// CHECK:         %[[DIM:.*]] = tensor.dim %[[GU]], %{{.*}} : tensor<?x64xf16>
// CHECK:         %[[GATE:.*]] = tensor.extract_slice %[[GU]][0, 0] [%[[DIM]], 32] [1, 1] : tensor<?x64xf16> to tensor<?x32xf16>
// CHECK:         %[[UP:.*]] = tensor.extract_slice %[[GU]][0, 32] [%[[DIM]], 32] [1, 1] : tensor<?x64xf16> to tensor<?x32xf16>
// CHECK:         %[[INIT:.*]] = tensor.empty(%[[DIM]]) : tensor<?x32xf16>
// CHECK:         linalg.generic {{.*}} ins(%[[GATE]], %[[UP]] : tensor<?x32xf16>, tensor<?x32xf16>) outs(%[[INIT]] : tensor<?x32xf16>)
// CHECK:           arith.extf %{{.*}} : f16 to f32
// CHECK:           arith.truncf %{{.*}} : f32 to f16
func.func @swiglu_fused_f16(%gate_up: tensor<?x64xf16>) -> tensor<?x32xf16> {
  %h = moe.swiglu %gate_up : tensor<?x64xf16> -> tensor<?x32xf16>
  return %h : tensor<?x32xf16>
}

// -----

// A dynamic fused width is halved at run time; any rank works.
// CHECK-LABEL: func.func @swiglu_fused_dynamic_rank3(
// CHECK-SAME:      %[[GU:[a-zA-Z0-9_]+]]: tensor<2x?x?xf32>)
// CHECK:         %[[ROWS:.*]] = tensor.dim %[[GU]], %{{.*}} : tensor<2x?x?xf32>
// CHECK:         %[[W:.*]] = tensor.dim %[[GU]], %{{.*}} : tensor<2x?x?xf32>
// CHECK:         %[[I:.*]] = arith.divui %[[W]], %{{.*}} : index
// CHECK:         tensor.extract_slice %[[GU]][0, 0, 0] [2, %[[ROWS]], %[[I]]] [1, 1, 1]
// CHECK:         tensor.extract_slice %[[GU]][0, 0, %[[I]]] [2, %[[ROWS]], %[[I]]] [1, 1, 1]
// CHECK:         linalg.generic
// CHECK-SAME:        iterator_types = ["parallel", "parallel", "parallel"]
// CHECK:         arith.minimumf
// CHECK:         arith.maximumf
// CHECK:         } -> tensor<2x?x?xf32>
func.func @swiglu_fused_dynamic_rank3(%gate_up: tensor<2x?x?xf32>)
    -> tensor<2x?x?xf32> {
  %h = moe.swiglu %gate_up limit = 1.0 : tensor<2x?x?xf32> -> tensor<2x?x?xf32>
  return %h : tensor<2x?x?xf32>
}
