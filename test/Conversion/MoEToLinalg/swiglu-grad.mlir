// RUN: moe-opt %s --moe-lower-to-linalg --split-input-file | FileCheck %s

// f32 without a limit: one linalg.generic with gate, up, dh as inputs and
// two outputs, each on its own tensor.empty; sigmoid(g) is computed once
// and shared by silu(g) and silu'(g).
// CHECK-LABEL: func.func @swiglu_grad_f32(
// CHECK-SAME:      %[[G:[a-zA-Z0-9_]+]]: tensor<?x16xf32>, %[[U:[a-zA-Z0-9_]+]]: tensor<?x16xf32>, %[[DH:[a-zA-Z0-9_]+]]: tensor<?x16xf32>)
// CHECK:         %[[DIM:.*]] = tensor.dim %[[G]], %{{.*}} : tensor<?x16xf32>
// CHECK:         %[[E0:.*]] = tensor.empty(%[[DIM]]) : tensor<?x16xf32>
// CHECK:         %[[E1:.*]] = tensor.empty(%[[DIM]]) : tensor<?x16xf32>
// CHECK:         %[[R:.*]]:2 = linalg.generic
// CHECK-SAME:        iterator_types = ["parallel", "parallel"]
// CHECK-SAME:        ins(%[[G]], %[[U]], %[[DH]] : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>)
// CHECK-SAME:        outs(%[[E0]], %[[E1]] : tensor<?x16xf32>, tensor<?x16xf32>)
// CHECK:         ^bb0(%[[GI:[a-z0-9_]+]]: f32, %[[UI:[a-z0-9_]+]]: f32, %[[DHI:[a-z0-9_]+]]: f32, %{{.*}}: f32, %{{.*}}: f32):
// CHECK-NOT:       arith.minimumf
//                  s = 1 / (1 + exp(-g))
// CHECK:           %[[ONE:.*]] = arith.constant 1.000000e+00 : f32
// CHECK:           %[[NEG:.*]] = arith.negf %[[GI]] : f32
// CHECK:           %[[EXP:.*]] = math.exp %[[NEG]] : f32
// CHECK:           %[[DEN:.*]] = arith.addf %[[ONE]], %[[EXP]] : f32
// CHECK:           %[[S:.*]] = arith.divf %[[ONE]], %[[DEN]] : f32
//                  silu = g s; silu' = s (1 + g (1 - s))
// CHECK:           %[[SILU:.*]] = arith.mulf %[[GI]], %[[S]] : f32
// CHECK:           %[[OMS:.*]] = arith.subf %[[ONE]], %[[S]] : f32
// CHECK:           %[[GOMS:.*]] = arith.mulf %[[GI]], %[[OMS]] : f32
// CHECK:           %[[INNER:.*]] = arith.addf %[[ONE]], %[[GOMS]] : f32
// CHECK:           %[[DSILU:.*]] = arith.mulf %[[S]], %[[INNER]] : f32
//                  dg = dh u silu'(g); du = dh silu(g)
// CHECK:           %[[DHU:.*]] = arith.mulf %[[DHI]], %[[UI]] : f32
// CHECK:           %[[DG:.*]] = arith.mulf %[[DHU]], %[[DSILU]] : f32
// CHECK:           %[[DU:.*]] = arith.mulf %[[DHI]], %[[SILU]] : f32
// CHECK-NOT:       arith.select
// CHECK:           linalg.yield %[[DG]], %[[DU]] : f32, f32
// CHECK:         return %[[R]]#0, %[[R]]#1
func.func @swiglu_grad_f32(%g: tensor<?x16xf32>, %u: tensor<?x16xf32>,
                           %dh: tensor<?x16xf32>)
    -> (tensor<?x16xf32>, tensor<?x16xf32>) {
  %dg, %du = moe.swiglu_grad %g, %u, %dh
      : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>)
      -> (tensor<?x16xf32>, tensor<?x16xf32>)
  return %dg, %du : tensor<?x16xf32>, tensor<?x16xf32>
}

// -----

// bf16 with a limit: computed in f32 on the clamped inputs, then the
// gradients are zeroed where the clamp is strictly active (ogt: at equality
// the gradient passes) and rounded once.
// CHECK-LABEL: func.func @swiglu_grad_limit_bf16(
// CHECK:         linalg.generic
// CHECK:         ^bb0(%[[GI:[a-z0-9_]+]]: bf16, %[[UI:[a-z0-9_]+]]: bf16, %[[DHI:[a-z0-9_]+]]: bf16, %{{.*}}: bf16, %{{.*}}: bf16):
// CHECK:           %[[G:.*]] = arith.extf %[[GI]] : bf16 to f32
// CHECK:           %[[U:.*]] = arith.extf %[[UI]] : bf16 to f32
// CHECK:           %[[DH:.*]] = arith.extf %[[DHI]] : bf16 to f32
// CHECK:           %[[GC:.*]] = arith.minimumf %[[G]], %{{.*}} : f32
// CHECK:           %[[UHI:.*]] = arith.minimumf %[[U]], %{{.*}} : f32
// CHECK:           %[[UC:.*]] = arith.maximumf %[[UHI]], %{{.*}} : f32
// CHECK:           arith.negf %[[GC]] : f32
// CHECK:           %[[SILU:.*]] = arith.mulf %[[GC]], %{{.*}} : f32
// CHECK:           %[[DHU:.*]] = arith.mulf %[[DH]], %[[UC]] : f32
// CHECK:           %[[DG:.*]] = arith.mulf %[[DHU]], %{{.*}} : f32
// CHECK:           %[[DU:.*]] = arith.mulf %[[DH]], %[[SILU]] : f32
// CHECK:           %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK:           %[[L:.*]] = arith.constant 7.000000e+00 : f32
// CHECK:           %[[GCL:.*]] = arith.cmpf ogt, %[[G]], %[[L]] : f32
// CHECK:           %[[DGZ:.*]] = arith.select %[[GCL]], %[[ZERO]], %[[DG]] : f32
// CHECK:           %[[ABS:.*]] = math.absf %[[U]] : f32
// CHECK:           %[[UCL:.*]] = arith.cmpf ogt, %[[ABS]], %{{.*}} : f32
// CHECK:           %[[DUZ:.*]] = arith.select %[[UCL]], %[[ZERO]], %[[DU]] : f32
// CHECK:           %[[DGB:.*]] = arith.truncf %[[DGZ]] : f32 to bf16
// CHECK:           %[[DUB:.*]] = arith.truncf %[[DUZ]] : f32 to bf16
// CHECK:           linalg.yield %[[DGB]], %[[DUB]] : bf16, bf16
func.func @swiglu_grad_limit_bf16(%g: tensor<?x16xbf16>, %u: tensor<?x16xbf16>,
                                  %dh: tensor<?x16xbf16>)
    -> (tensor<?x16xbf16>, tensor<?x16xbf16>) {
  %dg, %du = moe.swiglu_grad %g, %u, %dh limit = 7.0
      : (tensor<?x16xbf16>, tensor<?x16xbf16>, tensor<?x16xbf16>)
      -> (tensor<?x16xbf16>, tensor<?x16xbf16>)
  return %dg, %du : tensor<?x16xbf16>, tensor<?x16xbf16>
}

// -----

// f64 is computed in f64: no extension or rounding.
// CHECK-LABEL: func.func @swiglu_grad_f64(
// CHECK:         linalg.generic
// CHECK-SAME:        outs(%{{.*}}, %{{.*}} : tensor<4xf64>, tensor<4xf64>)
// CHECK-NOT:       arith.extf
// CHECK-NOT:       arith.truncf
// CHECK:           math.exp %{{.*}} : f64
// CHECK-NOT:       arith.extf
// CHECK-NOT:       arith.truncf
// CHECK:           linalg.yield %{{.*}}, %{{.*}} : f64, f64
func.func @swiglu_grad_f64(%g: tensor<4xf64>, %u: tensor<4xf64>,
                           %dh: tensor<4xf64>)
    -> (tensor<4xf64>, tensor<4xf64>) {
  %dg, %du = moe.swiglu_grad %g, %u, %dh limit = 3.0
      : (tensor<4xf64>, tensor<4xf64>, tensor<4xf64>)
      -> (tensor<4xf64>, tensor<4xf64>)
  return %dg, %du : tensor<4xf64>, tensor<4xf64>
}
