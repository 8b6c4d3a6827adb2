// RUN: moe-opt %s --moe-lower-to-linalg --split-input-file | FileCheck %s

// f32: the bias corrections 1 - b^t computed once in f64 from the step and
// rounded to f32, then one linalg.generic reading grad and writing param, m
// and v into their own tensors (no tensor.empty), so that bufferisation can
// update the caller's buffers in place (moe.in_place).
// CHECK-LABEL: func.func @adamw_f32(
// CHECK-SAME:      %[[P:[a-zA-Z0-9_]+]]: tensor<?x16xf32>, %[[G:[a-zA-Z0-9_]+]]: tensor<?x16xf32>, %[[M:[a-zA-Z0-9_]+]]: tensor<?x16xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<?x16xf32>, %[[T:[a-zA-Z0-9_]+]]: tensor<i64>)
// CHECK:         %[[STEP:.*]] = tensor.extract %[[T]][] : tensor<i64>
// CHECK:         %[[TF:.*]] = arith.sitofp %[[STEP]] : i64 to f64
// CHECK:         %[[B1:.*]] = arith.constant 9.000000e-01 : f64
// CHECK:         %[[POW1:.*]] = math.powf %[[B1]], %[[TF]] : f64
// CHECK:         %[[SUB1:.*]] = arith.subf %{{.*}}, %[[POW1]] : f64
// CHECK:         %[[BC1:.*]] = arith.truncf %[[SUB1]] : f64 to f32
// CHECK:         %[[B2:.*]] = arith.constant 0.99899999999999999 : f64
// CHECK:         %[[POW2:.*]] = math.powf %[[B2]], %[[TF]] : f64
// CHECK:         %[[SUB2:.*]] = arith.subf %{{.*}}, %[[POW2]] : f64
// CHECK:         %[[BC2:.*]] = arith.truncf %[[SUB2]] : f64 to f32
// CHECK-NOT:     tensor.empty
// CHECK:         %[[R:.*]]:3 = linalg.generic
// CHECK-SAME:        iterator_types = ["parallel", "parallel"]
// CHECK-SAME:        ins(%[[G]] : tensor<?x16xf32>)
// CHECK-SAME:        outs(%[[P]], %[[M]], %[[V]] : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>)
// CHECK:         ^bb0(%[[GI:[a-z0-9_]+]]: f32, %[[PI:[a-z0-9_]+]]: f32, %[[MI:[a-z0-9_]+]]: f32, %[[VI:[a-z0-9_]+]]: f32):
//                  m' = 0.9 m + 0.1 g
// CHECK:           %[[C_B1:.*]] = arith.constant 0.899999976 : f32
// CHECK:           %[[BM:.*]] = arith.mulf %[[C_B1]], %[[MI]] : f32
// CHECK:           %[[C_1B1:.*]] = arith.constant 1.000000e-01 : f32
// CHECK:           %[[BG:.*]] = arith.mulf %[[C_1B1]], %[[GI]] : f32
// CHECK:           %[[NM:.*]] = arith.addf %[[BM]], %[[BG]] : f32
//                  v' = 0.999 v + 0.001 g^2 (1 - b2 rounded from f64: 1.0e-3)
// CHECK:           %[[G2:.*]] = arith.mulf %[[GI]], %[[GI]] : f32
// CHECK:           %[[C_B2:.*]] = arith.constant 9.990000e-01 : f32
// CHECK:           %[[BV:.*]] = arith.mulf %[[C_B2]], %[[VI]] : f32
// CHECK:           %[[C_1B2:.*]] = arith.constant 1.000000e-03 : f32
// CHECK:           %[[BG2:.*]] = arith.mulf %[[C_1B2]], %[[G2]] : f32
// CHECK:           %[[NV:.*]] = arith.addf %[[BV]], %[[BG2]] : f32
//                  p' = p - lr (mh / (sqrt(vh) + eps) + wd p)
// CHECK:           %[[MH:.*]] = arith.divf %[[NM]], %[[BC1]] : f32
// CHECK:           %[[VH:.*]] = arith.divf %[[NV]], %[[BC2]] : f32
// CHECK:           %[[SQ:.*]] = math.sqrt %[[VH]] : f32
// CHECK:           %[[EPS:.*]] = arith.constant 9.99999993E-9 : f32
// CHECK:           %[[DEN:.*]] = arith.addf %[[SQ]], %[[EPS]] : f32
// CHECK:           %[[RATIO:.*]] = arith.divf %[[MH]], %[[DEN]] : f32
// CHECK:           %[[WD:.*]] = arith.constant 0.00999999977 : f32
// CHECK:           %[[DECAY:.*]] = arith.mulf %[[WD]], %[[PI]] : f32
// CHECK:           %[[UPD:.*]] = arith.addf %[[RATIO]], %[[DECAY]] : f32
// CHECK:           %[[LR:.*]] = arith.constant 1.000000e-03 : f32
// CHECK:           %[[STEPSZ:.*]] = arith.mulf %[[LR]], %[[UPD]] : f32
// CHECK:           %[[NP:.*]] = arith.subf %[[PI]], %[[STEPSZ]] : f32
// CHECK:           linalg.yield %[[NP]], %[[NM]], %[[NV]] : f32, f32, f32
// CHECK:         return %[[R]]#0, %[[R]]#1, %[[R]]#2
// CHECK-NOT:     moe.
func.func @adamw_f32(%p: tensor<?x16xf32>, %g: tensor<?x16xf32>,
                     %m: tensor<?x16xf32>, %v: tensor<?x16xf32>,
                     %t: tensor<i64>)
    -> (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>) {
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
      : (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>,
         tensor<?x16xf32>, tensor<i64>)
      -> (tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>)
  return %p1, %m1, %v1 : tensor<?x16xf32>, tensor<?x16xf32>, tensor<?x16xf32>
}

// -----

// bf16 with an i32 step: every element extended to f32 and the three
// results rounded back once; the attributes reach the body.
// CHECK-LABEL: func.func @adamw_bf16(
// CHECK:         tensor.extract %{{.*}}[] : tensor<i32>
// CHECK:         arith.sitofp %{{.*}} : i32 to f64
// CHECK:         arith.constant 5.000000e-01 : f64
// CHECK:         arith.constant 7.500000e-01 : f64
// CHECK:         %[[R:.*]]:3 = linalg.generic
// CHECK-SAME:        iterator_types = ["parallel"]
// CHECK-SAME:        outs(%{{.*}}, %{{.*}}, %{{.*}} : tensor<37xbf16>, tensor<37xbf16>, tensor<37xbf16>)
// CHECK:         ^bb0(%[[GI:[a-z0-9_]+]]: bf16, %[[PI:[a-z0-9_]+]]: bf16, %[[MI:[a-z0-9_]+]]: bf16, %[[VI:[a-z0-9_]+]]: bf16):
// CHECK-DAG:       arith.extf %[[PI]] : bf16 to f32
// CHECK-DAG:       arith.extf %[[GI]] : bf16 to f32
// CHECK-DAG:       arith.extf %[[MI]] : bf16 to f32
// CHECK-DAG:       arith.extf %[[VI]] : bf16 to f32
// CHECK:           arith.constant 5.000000e-01 : f32
// CHECK:           arith.constant 2.500000e-01 : f32
// CHECK:           arith.constant 1.250000e-01 : f32
// CHECK:           arith.constant 6.250000e-02 : f32
// CHECK:           arith.constant 2.000000e+00 : f32
// CHECK:           %[[NP:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK:           %[[NM:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK:           %[[NV:.*]] = arith.truncf %{{.*}} : f32 to bf16
// CHECK:           linalg.yield %[[NP]], %[[NM]], %[[NV]] : bf16, bf16, bf16
func.func @adamw_bf16(%p: tensor<37xbf16>, %g: tensor<37xbf16>,
                      %m: tensor<37xbf16>, %v: tensor<37xbf16>,
                      %t: tensor<i32>)
    -> (tensor<37xbf16>, tensor<37xbf16>, tensor<37xbf16>) {
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 2.0 beta1 = 0.5
      beta2 = 0.75 eps = 0.125 weight_decay = 0.0625
      : (tensor<37xbf16>, tensor<37xbf16>, tensor<37xbf16>, tensor<37xbf16>,
         tensor<i32>)
      -> (tensor<37xbf16>, tensor<37xbf16>, tensor<37xbf16>)
  return %p1, %m1, %v1 : tensor<37xbf16>, tensor<37xbf16>, tensor<37xbf16>
}

// -----

// f64: the whole update in f64, the corrections not rounded.
// CHECK-LABEL: func.func @adamw_f64(
// CHECK:         %[[SUB1:.*]] = arith.subf %{{.*}}, %{{.*}} : f64
// CHECK-NOT:     arith.truncf
// CHECK:         linalg.generic
// CHECK:         ^bb0(%{{.*}}: f64, %{{.*}}: f64, %{{.*}}: f64, %{{.*}}: f64):
// CHECK-NOT:       arith.extf
// CHECK-NOT:       arith.truncf
// CHECK:           arith.divf %{{.*}}, %[[SUB1]] : f64
// CHECK:           math.sqrt %{{.*}} : f64
// CHECK:           linalg.yield %{{.*}}, %{{.*}}, %{{.*}} : f64, f64, f64
func.func @adamw_f64(%p: tensor<4x8xf64>, %t: tensor<i64>)
    -> (tensor<4x8xf64>, tensor<4x8xf64>, tensor<4x8xf64>) {
  %p1, %m1, %v1 = moe.adamw %p, %p, %p, %p step %t lr = 1.0e-2
      : (tensor<4x8xf64>, tensor<4x8xf64>, tensor<4x8xf64>, tensor<4x8xf64>,
         tensor<i64>)
      -> (tensor<4x8xf64>, tensor<4x8xf64>, tensor<4x8xf64>)
  return %p1, %m1, %v1 : tensor<4x8xf64>, tensor<4x8xf64>, tensor<4x8xf64>
}
