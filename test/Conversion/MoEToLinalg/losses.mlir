// RUN: moe-opt %s --moe-lower-to-linalg --split-input-file | FileCheck %s

// moe.load_balancing_loss, f32, dynamic T. Row max and sum of exp(l - shift)
// per token (shift = the max unless it is infinite), then the summed
// probabilities per expert with tokens as the outer reduction, the i64
// assignment counts from a [T, k, E] generic comparing each id with the
// expert index, their dot product, and the scale alpha * E / (T*k * T).
// CHECK-DAG:   #[[TE:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[T_:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG:   #[[E_:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-DAG:   #[[IDS:.*]] = affine_map<(d0, d1, d2) -> (d0, d1)>
// CHECK-DAG:   #[[EXP:.*]] = affine_map<(d0, d1, d2) -> (d2)>
// CHECK-DAG:   #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-DAG:   #[[SCALAR:.*]] = affine_map<(d0) -> ()>
// CHECK-LABEL: func.func @load_balancing_loss_f32(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x8xf32>, %[[I:[a-zA-Z0-9_]+]]: tensor<?x2xi32>) -> tensor<f32>
// CHECK:         %[[T:.*]] = tensor.dim %[[L]], %{{.*}} : tensor<?x8xf32>
// CHECK:         %[[E:.*]] = arith.constant 8 : index
// CHECK:         %[[NEGINF:.*]] = arith.constant 0xFF800000 : f32
// CHECK:         %[[MAXINIT:.*]] = linalg.fill ins(%[[NEGINF]] : f32) outs(%{{.*}} : tensor<?xf32>)
// CHECK:         %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[TE]], #[[T_]]], iterator_types = ["parallel", "reduction"]} ins(%[[L]] : tensor<?x8xf32>) outs(%[[MAXINIT]] : tensor<?xf32>)
// CHECK:           arith.maximumf
// CHECK:         %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[TE]], #[[T_]], #[[T_]]], iterator_types = ["parallel", "reduction"]} ins(%[[L]], %[[MAX]] : tensor<?x8xf32>, tensor<?xf32>) outs(%{{.*}} : tensor<?xf32>)
// CHECK:           %[[ABS:.*]] = math.absf
// CHECK:           %[[ISINF:.*]] = arith.cmpf oeq, %[[ABS]]
// CHECK:           %[[SHIFT:.*]] = arith.select %[[ISINF]]
// CHECK:           %[[D:.*]] = arith.subf %{{.*}}, %[[SHIFT]] : f32
// CHECK:           %[[X:.*]] = math.exp %[[D]] : f32
// CHECK:           arith.addf %{{.*}}, %[[X]] : f32
// CHECK:         %[[PROB:.*]] = linalg.generic {indexing_maps = [#[[TE]], #[[T_]], #[[T_]], #[[E_]]], iterator_types = ["reduction", "parallel"]} ins(%[[L]], %[[MAX]], %[[SUM]] : tensor<?x8xf32>, tensor<?xf32>, tensor<?xf32>) outs(%{{.*}} : tensor<8xf32>)
// CHECK:           math.exp
// CHECK:           arith.divf
// CHECK:           arith.addf
// CHECK:         %[[COUNT:.*]] = linalg.generic {indexing_maps = [#[[IDS]], #[[EXP]]], iterator_types = ["reduction", "reduction", "parallel"]} ins(%[[I]] : tensor<?x2xi32>) outs(%{{.*}} : tensor<8xi64>)
// CHECK:         ^bb0(%[[ID:.*]]: i32, %[[ACC:.*]]: i64):
// CHECK:           %[[EIDX:.*]] = linalg.index 2 : index
// CHECK:           %[[IDX:.*]] = arith.index_cast %[[ID]] : i32 to index
// CHECK:           %[[HIT:.*]] = arith.cmpi eq, %[[IDX]], %[[EIDX]] : index
// CHECK:           %[[ONE:.*]] = arith.select %[[HIT]], %{{.*}}, %{{.*}} : i64
// CHECK:           arith.addi %[[ACC]], %[[ONE]] : i64
// CHECK:         %[[DOT:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]], #[[SCALAR]]], iterator_types = ["reduction"]} ins(%[[COUNT]], %[[PROB]] : tensor<8xi64>, tensor<8xf32>) outs(%{{.*}} : tensor<f32>)
// CHECK:           arith.sitofp %{{.*}} : i64 to f32
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:         %[[PAIRS:.*]] = arith.muli %[[T]], %{{.*}} : index
// CHECK:         %[[DEN:.*]] = arith.mulf
// CHECK:         %[[ALPHA:.*]] = arith.constant 0.00999999977 : f32
// CHECK:         %[[SCALE:.*]] = arith.mulf %[[ALPHA]], %{{.*}} : f32
// CHECK:         %[[V:.*]] = tensor.extract %[[DOT]][] : tensor<f32>
// CHECK:         %[[NUM:.*]] = arith.mulf %[[SCALE]], %[[V]] : f32
// CHECK:         %[[LOSS:.*]] = arith.divf %[[NUM]], %[[DEN]] : f32
// CHECK:         %[[R:.*]] = tensor.from_elements %[[LOSS]] : tensor<f32>
// CHECK:         return %[[R]] : tensor<f32>
func.func @load_balancing_loss_f32(%logits: tensor<?x8xf32>,
                                   %ids: tensor<?x2xi32>) -> tensor<f32> {
  %aux = moe.load_balancing_loss %logits, %ids alpha = 0.01
      : tensor<?x8xf32>, tensor<?x2xi32> -> tensor<f32>
  return %aux : tensor<f32>
}

// -----

// bf16 logits are extended and everything accumulates in f32.
// CHECK-LABEL: func.func @load_balancing_loss_bf16(
// CHECK:         linalg.generic
// CHECK:           arith.extf %{{.*}} : bf16 to f32
// CHECK:           arith.maximumf %{{.*}}, %{{.*}} : f32
// CHECK:         } -> tensor<4xf32>
// CHECK:         tensor.from_elements %{{.*}} : tensor<f32>
func.func @load_balancing_loss_bf16(%logits: tensor<4x16xbf16>,
                                    %ids: tensor<4x2xi64>) -> tensor<f32> {
  %aux = moe.load_balancing_loss %logits, %ids alpha = 0.01
      : tensor<4x16xbf16>, tensor<4x2xi64> -> tensor<f32>
  return %aux : tensor<f32>
}

// -----

// moe.router_z_loss, f64 throughout: the same row max and sum, then
// sum_t (shift + log(sum))^2 in token order, divided by T.
// CHECK-LABEL: func.func @router_z_loss_f64(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<5x?xf64>) -> tensor<f64>
// CHECK:         %[[T:.*]] = arith.constant 5 : index
// CHECK:         %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[L]] : tensor<5x?xf64>) outs(%{{.*}} : tensor<5xf64>)
// CHECK:           arith.maximumf %{{.*}}, %{{.*}} : f64
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[L]], %[[MAX]] : tensor<5x?xf64>, tensor<5xf64>) outs(%{{.*}} : tensor<5xf64>)
// CHECK:           math.exp %{{.*}} : f64
// CHECK:         %[[SQ:.*]] = linalg.generic {{.*}} iterator_types = ["reduction"]} ins(%[[MAX]], %[[SUM]] : tensor<5xf64>, tensor<5xf64>) outs(%{{.*}} : tensor<f64>)
// CHECK:           %[[SHIFT:.*]] = arith.select
// CHECK:           %[[LOG:.*]] = math.log %{{.*}} : f64
// CHECK:           %[[LSE:.*]] = arith.addf %[[SHIFT]], %[[LOG]] : f64
// CHECK:           %[[LSE2:.*]] = arith.mulf %[[LSE]], %[[LSE]] : f64
// CHECK:           arith.addf %{{.*}}, %[[LSE2]] : f64
// CHECK:         %[[V:.*]] = tensor.extract %[[SQ]][] : tensor<f64>
// CHECK:         %[[TI:.*]] = arith.index_cast %[[T]] : index to i64
// CHECK:         %[[TF:.*]] = arith.sitofp %[[TI]] : i64 to f64
// CHECK:         %[[Z:.*]] = arith.divf %[[V]], %[[TF]] : f64
// CHECK:         %[[R:.*]] = tensor.from_elements %[[Z]] : tensor<f64>
// CHECK:         return %[[R]] : tensor<f64>
func.func @router_z_loss_f64(%logits: tensor<5x?xf64>) -> tensor<f64> {
  %z = moe.router_z_loss %logits : tensor<5x?xf64> -> tensor<f64>
  return %z : tensor<f64>
}

// -----

// moe.bias_update, bf16 bias with a dynamic E: the same assignment counts,
// then sign(T*k - E*load) in i64 and bias + gamma * sign in f32, rounded
// back to bf16.
// CHECK-LABEL: func.func @bias_update_bf16(
// CHECK-SAME:      %[[B:[a-zA-Z0-9_]+]]: tensor<?xbf16>, %[[I:[a-zA-Z0-9_]+]]: tensor<3x2xi32>) -> tensor<?xbf16>
// CHECK:         %[[E:.*]] = tensor.dim %[[B]], %{{.*}} : tensor<?xbf16>
// CHECK:         %[[ZEROS:.*]] = linalg.fill ins(%{{.*}} : i64) outs(%{{.*}} : tensor<?xi64>)
// CHECK:         %[[COUNT:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction", "parallel"]} ins(%[[I]] : tensor<3x2xi32>) outs(%[[ZEROS]] : tensor<?xi64>)
// CHECK:           arith.cmpi eq
// CHECK:         %[[PAIRS:.*]] = arith.index_cast %{{.*}} : index to i64
// CHECK:         %[[E64:.*]] = arith.index_cast %[[E]] : index to i64
// CHECK:         %[[GAMMA:.*]] = arith.constant 1.000000e-03 : f32
// CHECK:         %[[OUT:.*]] = tensor.empty(%[[E]]) : tensor<?xbf16>
// CHECK:         %[[NEW:.*]] = linalg.generic {{.*}} iterator_types = ["parallel"]} ins(%[[B]], %[[COUNT]] : tensor<?xbf16>, tensor<?xi64>) outs(%[[OUT]] : tensor<?xbf16>)
// CHECK:         ^bb0(%[[BV:.*]]: bf16, %[[LOAD:.*]]: i64, %{{.*}}: bf16):
// CHECK:           %[[EL:.*]] = arith.muli %[[E64]], %[[LOAD]] : i64
// CHECK:           %[[DIFF:.*]] = arith.subi %[[PAIRS]], %[[EL]] : i64
// CHECK:           %[[UNDER:.*]] = arith.cmpi sgt, %[[DIFF]], %{{.*}} : i64
// CHECK:           %[[OVER:.*]] = arith.cmpi slt, %[[DIFF]], %{{.*}} : i64
// CHECK:           %[[NEG:.*]] = arith.select %[[OVER]], %{{.*}}, %{{.*}} : f32
// CHECK:           %[[SIGN:.*]] = arith.select %[[UNDER]], %{{.*}}, %[[NEG]] : f32
// CHECK:           %[[STEP:.*]] = arith.mulf %[[GAMMA]], %[[SIGN]] : f32
// CHECK:           %[[BF:.*]] = arith.extf %[[BV]] : bf16 to f32
// CHECK:           %[[S:.*]] = arith.addf %[[BF]], %[[STEP]] : f32
// CHECK:           %[[T:.*]] = arith.truncf %[[S]] : f32 to bf16
// CHECK:           linalg.yield %[[T]] : bf16
// CHECK:         return %[[NEW]] : tensor<?xbf16>
func.func @bias_update_bf16(%bias: tensor<?xbf16>, %ids: tensor<3x2xi32>)
    -> tensor<?xbf16> {
  %new = moe.bias_update %bias, %ids gamma = 0.001
      : tensor<?xbf16>, tensor<3x2xi32> -> tensor<?xbf16>
  return %new : tensor<?xbf16>
}

// -----

// moe.load_balancing_loss_grad, f32, dynamic T: the forward's row max and
// sum of exp(l - shift) and its assignment counts, then
// mix[t] = sum_e count[e] * p[t, e] (experts the inner, reduction loop),
// the scale dloss * alpha * E / (T * T*k) whose denominator becomes 1 when
// T = 0, and one elementwise generic scale * p * (count - mix).
// CHECK-DAG:   #[[TE:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[T_:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG:   #[[E_:.*]] = affine_map<(d0, d1) -> (d1)>
// CHECK-LABEL: func.func @load_balancing_loss_grad_f32(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x8xf32>, %[[I:[a-zA-Z0-9_]+]]: tensor<?x2xi32>, %[[DL:[a-zA-Z0-9_]+]]: tensor<f32>) -> tensor<?x8xf32>
// CHECK:         %[[T:.*]] = tensor.dim %[[L]], %{{.*}} : tensor<?x8xf32>
// CHECK:         %[[MAX:.*]] = linalg.generic {indexing_maps = [#[[TE]], #[[T_]]], iterator_types = ["parallel", "reduction"]} ins(%[[L]] : tensor<?x8xf32>)
// CHECK:           arith.maximumf
// CHECK:         %[[SUM:.*]] = linalg.generic {indexing_maps = [#[[TE]], #[[T_]], #[[T_]]], iterator_types = ["parallel", "reduction"]} ins(%[[L]], %[[MAX]] : tensor<?x8xf32>, tensor<?xf32>)
// CHECK:           math.exp
// CHECK:         %[[COUNT:.*]] = linalg.generic {{.*}} iterator_types = ["reduction", "reduction", "parallel"]} ins(%[[I]] : tensor<?x2xi32>) outs(%{{.*}} : tensor<8xi64>)
// CHECK:         %[[MIX:.*]] = linalg.generic {indexing_maps = [#[[TE]], #[[T_]], #[[T_]], #[[E_]], #[[T_]]], iterator_types = ["parallel", "reduction"]} ins(%[[L]], %[[MAX]], %[[SUM]], %[[COUNT]] : tensor<?x8xf32>, tensor<?xf32>, tensor<?xf32>, tensor<8xi64>) outs(%{{.*}} : tensor<?xf32>)
// CHECK:         ^bb0(%{{.*}}: f32, %{{.*}}: f32, %[[S:.*]]: f32, %[[C:.*]]: i64, %[[ACC:.*]]: f32):
// CHECK:           %[[X:.*]] = math.exp
// CHECK:           %[[P:.*]] = arith.divf %[[X]], %[[S]] : f32
// CHECK:           %[[CF:.*]] = arith.sitofp %[[C]] : i64 to f32
// CHECK:           %[[CP:.*]] = arith.mulf %[[CF]], %[[P]] : f32
// CHECK:           arith.addf %[[ACC]], %[[CP]] : f32
// CHECK:         %[[PAIRS:.*]] = arith.muli %[[T]], %{{.*}} : index
// CHECK:         %[[DEN:.*]] = arith.mulf %{{.*}}, %{{.*}} : f32
// CHECK:         %[[D:.*]] = tensor.extract %[[DL]][] : tensor<f32>
// CHECK:         %[[ALPHA:.*]] = arith.constant 0.00999999977 : f32
// CHECK:         %[[AE:.*]] = arith.mulf %[[ALPHA]], %{{.*}} : f32
// CHECK:         %[[NUM:.*]] = arith.mulf %[[D]], %[[AE]] : f32
// CHECK:         %[[EMPTY:.*]] = arith.cmpi eq, %[[T]], %{{.*}} : index
// CHECK:         %[[SAFE:.*]] = arith.select %[[EMPTY]], %{{.*}}, %[[DEN]] : f32
// CHECK:         %[[SCALE:.*]] = arith.divf %[[NUM]], %[[SAFE]] : f32
// CHECK:         %[[GRAD:.*]] = linalg.generic {indexing_maps = [#[[TE]], #[[T_]], #[[T_]], #[[T_]], #[[E_]], #[[TE]]], iterator_types = ["parallel", "parallel"]} ins(%[[L]], %[[MAX]], %[[SUM]], %[[MIX]], %[[COUNT]] : tensor<?x8xf32>, tensor<?xf32>, tensor<?xf32>, tensor<?xf32>, tensor<8xi64>) outs(%{{.*}} : tensor<?x8xf32>)
// CHECK:         ^bb0(%{{.*}}: f32, %{{.*}}: f32, %[[S2:.*]]: f32, %[[M:.*]]: f32, %[[C2:.*]]: i64, %{{.*}}: f32):
// CHECK:           %[[X2:.*]] = math.exp
// CHECK:           %[[P2:.*]] = arith.divf %[[X2]], %[[S2]] : f32
// CHECK:           %[[CF2:.*]] = arith.sitofp %[[C2]] : i64 to f32
// CHECK:           %[[CENTRED:.*]] = arith.subf %[[CF2]], %[[M]] : f32
// CHECK:           %[[PC:.*]] = arith.mulf %[[P2]], %[[CENTRED]] : f32
// CHECK:           %[[G:.*]] = arith.mulf %[[SCALE]], %[[PC]] : f32
// CHECK:           linalg.yield %[[G]] : f32
// CHECK:         return %[[GRAD]] : tensor<?x8xf32>
func.func @load_balancing_loss_grad_f32(%logits: tensor<?x8xf32>,
                                        %ids: tensor<?x2xi32>,
                                        %daux: tensor<f32>) -> tensor<?x8xf32> {
  %dl = moe.load_balancing_loss_grad %logits, %ids, %daux alpha = 0.01
      : tensor<?x8xf32>, tensor<?x2xi32>, tensor<f32> -> tensor<?x8xf32>
  return %dl : tensor<?x8xf32>
}

// -----

// f64 logits: everything in f64, and a static T needs no guard for T = 0.
// CHECK-LABEL: func.func @load_balancing_loss_grad_f64(
// CHECK:         %[[MIX:.*]] = linalg.generic {{.*}} ins(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : tensor<3x?xf64>, tensor<3xf64>, tensor<3xf64>, tensor<?xi64>) outs(%{{.*}} : tensor<3xf64>)
// CHECK:           arith.sitofp %{{.*}} : i64 to f64
// CHECK:           linalg.yield
// CHECK-NOT:     arith.cmpi
// CHECK-NOT:     arith.select
// CHECK:         %[[SCALE:.*]] = arith.divf %{{.*}}, %{{.*}} : f64
// CHECK:         %[[GRAD:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "parallel"]} ins({{.*}}) outs(%{{.*}} : tensor<3x?xf64>)
// CHECK:           arith.mulf %[[SCALE]], %{{.*}} : f64
// CHECK:         return %[[GRAD]] : tensor<3x?xf64>
func.func @load_balancing_loss_grad_f64(%logits: tensor<3x?xf64>,
                                        %ids: tensor<3x1xi64>,
                                        %daux: tensor<f64>) -> tensor<3x?xf64> {
  %dl = moe.load_balancing_loss_grad %logits, %ids, %daux alpha = 1.0
      : tensor<3x?xf64>, tensor<3x1xi64>, tensor<f64> -> tensor<3x?xf64>
  return %dl : tensor<3x?xf64>
}

// -----

// moe.router_z_loss_grad, bf16 logits with a static T: the forward's row
// statistics in f32, the per-token factor (2 * dloss / T) * lse[t] with
// lse = shift + log(sum), then factor * p elementwise, rounded to bf16 once.
// CHECK-DAG:   #[[TE:.*]] = affine_map<(d0, d1) -> (d0, d1)>
// CHECK-DAG:   #[[T_:.*]] = affine_map<(d0, d1) -> (d0)>
// CHECK-DAG:   #[[ID1:.*]] = affine_map<(d0) -> (d0)>
// CHECK-LABEL: func.func @router_z_loss_grad_bf16(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<5x?xbf16>, %[[DZ:[a-zA-Z0-9_]+]]: tensor<f32>) -> tensor<5x?xbf16>
// CHECK:         %[[MAX:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[L]] : tensor<5x?xbf16>) outs(%{{.*}} : tensor<5xf32>)
// CHECK:           arith.extf %{{.*}} : bf16 to f32
// CHECK:         %[[SUM:.*]] = linalg.generic {{.*}} iterator_types = ["parallel", "reduction"]} ins(%[[L]], %[[MAX]] : tensor<5x?xbf16>, tensor<5xf32>) outs(%{{.*}} : tensor<5xf32>)
// CHECK:         %[[TWO:.*]] = arith.constant 2.000000e+00 : f32
// CHECK:         %[[D:.*]] = tensor.extract %[[DZ]][] : tensor<f32>
// CHECK:         %[[NUM:.*]] = arith.mulf %[[TWO]], %[[D]] : f32
// CHECK:         %[[TF:.*]] = arith.sitofp %{{.*}} : i64 to f32
// CHECK-NOT:     arith.select
// CHECK:         %[[SCALE:.*]] = arith.divf %[[NUM]], %[[TF]] : f32
// CHECK:         %[[ROW:.*]] = linalg.generic {indexing_maps = [#[[ID1]], #[[ID1]], #[[ID1]]], iterator_types = ["parallel"]} ins(%[[MAX]], %[[SUM]] : tensor<5xf32>, tensor<5xf32>) outs(%{{.*}} : tensor<5xf32>)
// CHECK:           %[[SHIFT:.*]] = arith.select
// CHECK:           %[[LOG:.*]] = math.log %{{.*}} : f32
// CHECK:           %[[LSE:.*]] = arith.addf %[[SHIFT]], %[[LOG]] : f32
// CHECK:           %[[F:.*]] = arith.mulf %[[SCALE]], %[[LSE]] : f32
// CHECK:           linalg.yield %[[F]] : f32
// CHECK:         %[[GRAD:.*]] = linalg.generic {indexing_maps = [#[[TE]], #[[T_]], #[[T_]], #[[T_]], #[[TE]]], iterator_types = ["parallel", "parallel"]} ins(%[[L]], %[[MAX]], %[[SUM]], %[[ROW]] : tensor<5x?xbf16>, tensor<5xf32>, tensor<5xf32>, tensor<5xf32>) outs(%{{.*}} : tensor<5x?xbf16>)
// CHECK:         ^bb0(%{{.*}}: bf16, %{{.*}}: f32, %[[S:.*]]: f32, %[[R:.*]]: f32, %{{.*}}: bf16):
// CHECK:           %[[X:.*]] = math.exp
// CHECK:           %[[P:.*]] = arith.divf %[[X]], %[[S]] : f32
// CHECK:           %[[G:.*]] = arith.mulf %[[R]], %[[P]] : f32
// CHECK:           %[[GB:.*]] = arith.truncf %[[G]] : f32 to bf16
// CHECK:           linalg.yield %[[GB]] : bf16
// CHECK:         return %[[GRAD]] : tensor<5x?xbf16>
func.func @router_z_loss_grad_bf16(%logits: tensor<5x?xbf16>, %dz: tensor<f32>)
    -> tensor<5x?xbf16> {
  %g = moe.router_z_loss_grad %logits, %dz
      : tensor<5x?xbf16>, tensor<f32> -> tensor<5x?xbf16>
  return %g : tensor<5x?xbf16>
}

// -----

// moe.mse_loss: one reduction over every element into a rank-0 f32 sum of
// squared differences (bf16 widened first), divided by the element count.
// CHECK-LABEL: func.func @mse_loss(
// CHECK:         %[[SUM:.+]] = linalg.generic {{.*}}iterator_types = ["reduction", "reduction"]{{.*}} ins(%{{.+}}, %{{.+}} : tensor<?x64xbf16>, tensor<?x64xbf16>) outs(%{{.+}} : tensor<f32>)
// CHECK:           arith.extf
// CHECK:           arith.subf
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:         %[[S:.+]] = tensor.extract %[[SUM]][]
// CHECK:         arith.divf %[[S]], %{{.+}} : f32
// CHECK-NOT:     moe.
func.func @mse_loss(%y: tensor<?x64xbf16>, %t: tensor<?x64xbf16>) -> tensor<f32> {
  %l = moe.mse_loss %y, %t : tensor<?x64xbf16>, tensor<?x64xbf16> -> tensor<f32>
  return %l : tensor<f32>
}

// -----

// moe.mse_loss_grad: the scale 2 dloss / N once, then one elementwise
// generic rounding each element to bf16.
// CHECK-LABEL: func.func @mse_loss_grad(
// CHECK:         %[[TWO_D:.+]] = arith.mulf %{{.+}}, %{{.+}} : f32
// CHECK:         %[[SCALE:.+]] = arith.divf %[[TWO_D]], %{{.+}} : f32
// CHECK:         linalg.generic {{.*}}iterator_types = ["parallel", "parallel"]
// CHECK:           arith.subf
// CHECK:           arith.mulf %[[SCALE]]
// CHECK:           arith.truncf {{.*}} : f32 to bf16
func.func @mse_loss_grad(%y: tensor<?x64xbf16>, %t: tensor<?x64xbf16>, %d: tensor<f32>) -> tensor<?x64xbf16> {
  %g = moe.mse_loss_grad %y, %t, %d : tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<f32> -> tensor<?x64xbf16>
  return %g : tensor<?x64xbf16>
}
