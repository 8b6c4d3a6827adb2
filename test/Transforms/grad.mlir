// RUN: moe-opt %s --split-input-file --moe-grad | FileCheck %s
// RUN: moe-opt %s --split-input-file --moe-grad --moe-cpu-lower-to-linalg | FileCheck %s --check-prefix=LOWERED

// The layer's gradient: the forward body decomposed, then every adjoint in
// reverse order; one gradient per differentiable argument, tagged with its
// argument; the bias gets none.

// CHECK-LABEL: func.func @moe_layer(
// CHECK:         moe.layer
// CHECK-LABEL: func.func @moe_layer_grad(
// CHECK-SAME:      %[[X:[^:]+]]: tensor<?x64xf32>, %[[WR:[^:]+]]: tensor<64x16xf32>, %[[WG:[^:]+]]: tensor<16x64x32xf32>, %[[WU:[^:]+]]: tensor<16x64x32xf32>, %[[WD:[^:]+]]: tensor<16x32x64xf32>, %[[SG:[^:]+]]: tensor<64x32xf32>, %[[SU:[^:]+]]: tensor<64x32xf32>, %[[SD:[^:]+]]: tensor<32x64xf32>, %[[BIAS:[^:]+]]: tensor<16xf32>, %[[DY:[^:]+]]: tensor<?x64xf32>)
// CHECK-SAME:      -> (tensor<?x64xf32>, tensor<?x64xf32> {moe.gradient_of = 0 : i64}, tensor<64x16xf32> {moe.gradient_of = 1 : i64}, tensor<16x64x32xf32> {moe.gradient_of = 2 : i64}, tensor<16x64x32xf32> {moe.gradient_of = 3 : i64}, tensor<16x32x64xf32> {moe.gradient_of = 4 : i64}, tensor<64x32xf32> {moe.gradient_of = 5 : i64}, tensor<64x32xf32> {moe.gradient_of = 6 : i64}, tensor<32x64xf32> {moe.gradient_of = 7 : i64})
// CHECK-NOT:     moe.layer
// CHECK:         %[[W:.+]], %[[IDS:.+]] = moe.router %[[LOGITS:[^ ]+]] bias %[[BIAS]]
// CHECK:         %[[XS:.+]], %[[PERM:.+]], %[[OFF:.+]] = moe.dispatch %[[X]], %[[IDS]]
// CHECK:         %[[G:.+]] = moe.grouped_matmul %[[XS]], %[[WG]], %[[OFF]]
// CHECK:         %[[U:.+]] = moe.grouped_matmul %[[XS]], %[[WU]], %[[OFF]]
// CHECK:         %[[H:.+]] = moe.swiglu %[[G]], %[[U]]
// CHECK:         %[[YS:.+]] = moe.grouped_matmul %[[H]], %[[WD]], %[[OFF]]
// CHECK:         %[[ROUTED:.+]] = moe.combine %[[YS]], %[[PERM]], %[[W]]
// CHECK:         %[[Y:.+]] = linalg.add ins(%[[ROUTED]],
// The adjoints, last forward op first.
// CHECK:         %[[DYS:.+]], %[[DW:.+]] = moe.combine_grad %[[YS]], %[[PERM]], %[[W]], %[[DY]]
// CHECK:         %[[WDT:.+]] = linalg.transpose ins(%[[WD]] : tensor<16x32x64xf32>) {{.*}} permutation = [0, 2, 1]
// CHECK:         %[[DH:.+]] = moe.grouped_matmul %[[DYS]], %[[WDT]], %[[OFF]]
// CHECK:         %[[DWD:.+]] = moe.grouped_matmul_wgrad %[[H]], %[[DYS]], %[[OFF]]
// CHECK:         %[[DG:.+]], %[[DU:.+]] = moe.swiglu_grad %[[G]], %[[U]], %[[DH]]
// CHECK:         %[[DWU:.+]] = moe.grouped_matmul_wgrad %[[XS]], %[[DU]], %[[OFF]]
// CHECK:         %[[DWG:.+]] = moe.grouped_matmul_wgrad %[[XS]], %[[DG]], %[[OFF]]
// The rows' cotangent goes back to the tokens as a combine with unit weights.
// CHECK:         %[[ONES:.+]] = linalg.fill ins(%{{.+}} : f32)
// CHECK:         moe.combine %{{.+}}, %[[PERM]], %[[ONES]]
// CHECK:         %[[DLOGITS:.+]] = moe.router_grad %[[LOGITS]] bias %[[BIAS]]
// CHECK-SAME:        %[[DW]]
// CHECK:         return %[[Y]], %{{.+}}, %{{.+}}, %[[DWG]], %[[DWU]], %[[DWD]], %{{.+}}, %{{.+}}, %{{.+}} :

// Every moe op of the gradient lowers, and the dX GEMMs reach the packed
// kernels like the forward ones: [16, 32, 64] panels are packed for the
// forward down projection and for the transposed gate and up weights.
// LOWERED-LABEL: func.func @moe_layer_grad(
// LOWERED-NOT:     = moe.
// LOWERED-COUNT-3: call @__moe_pack_16x32x64xf32
// LOWERED-NOT:     = moe.
// LOWERED:         return
func.func @moe_layer(%x: tensor<?x64xf32>, %router: tensor<64x16xf32>, %wg: tensor<16x64x32xf32>, %wu: tensor<16x64x32xf32>, %wd: tensor<16x32x64xf32>, %sg: tensor<64x32xf32>, %su: tensor<64x32xf32>, %sd: tensor<32x64xf32>, %bias: tensor<16xf32>) -> tensor<?x64xf32> {
  %y = moe.layer %x router %router bias %bias experts %wg, %wu, %wd shared %sg, %su, %sd routing <k = 8, scoring = sigmoid, n_group = 8, topk_group = 4, norm_topk_prob = true, routed_scaling_factor = 2.5> : (tensor<?x64xf32>, tensor<64x16xf32>, tensor<16x64x32xf32>, tensor<16x64x32xf32>, tensor<16x32x64xf32>, tensor<64x32xf32>, tensor<64x32xf32>, tensor<32x64xf32>, tensor<16xf32>) -> tensor<?x64xf32>
  return %y : tensor<?x64xf32>
}

// -----

// A private declaration of the gradient (what a training step calls) is
// defined in place; functions without moe.layer are left alone by default.

// CHECK-LABEL: func.func @step(
// CHECK:         call @moe_layer_grad(
// CHECK-LABEL: func.func @moe_layer(
// CHECK-LABEL: func.func private @moe_layer_grad(
// CHECK:         moe.combine_grad
// CHECK-NOT:   func.func private @moe_layer_grad
// CHECK-NOT:   @step_grad
func.func @step(%x: tensor<?x32xf32>, %r: tensor<32x4xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>, %dy: tensor<?x32xf32>) -> tensor<4x16x32xf32> {
  %y, %dx, %dr, %dwg, %dwu, %dwd = func.call @moe_layer_grad(%x, %r, %wg, %wu, %wd, %dy) : (tensor<?x32xf32>, tensor<32x4xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>, tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<32x4xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>)
  return %dwd : tensor<4x16x32xf32>
}
func.func @moe_layer(%x: tensor<?x32xf32>, %r: tensor<32x4xf32>, %wg: tensor<4x32x16xf32>, %wu: tensor<4x32x16xf32>, %wd: tensor<4x16x32xf32>) -> tensor<?x32xf32> {
  %y = moe.layer %x router %r experts %wg, %wu, %wd routing <k = 1> : (tensor<?x32xf32>, tensor<32x4xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>) -> tensor<?x32xf32>
  return %y : tensor<?x32xf32>
}
func.func private @moe_layer_grad(tensor<?x32xf32>, tensor<32x4xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>, tensor<?x32xf32>) -> (tensor<?x32xf32>, tensor<?x32xf32>, tensor<32x4xf32>, tensor<4x32x16xf32>, tensor<4x32x16xf32>, tensor<4x16x32xf32>)
