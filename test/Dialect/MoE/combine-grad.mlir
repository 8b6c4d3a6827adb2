// RUN: moe-opt %s | FileCheck %s
// RUN: moe-opt %s -mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: moe-opt %s | moe-opt | FileCheck %s
// RUN: moe-opt %s -mlir-print-op-generic | moe-opt | FileCheck %s

// f32, static shapes.
// CHECK-LABEL: func.func @combine_grad_f32(
// CHECK-SAME:      %[[YS:[a-zA-Z0-9_]+]]: tensor<12x16xf32>, %[[P:[a-zA-Z0-9_]+]]: tensor<12xi32>, %[[W:[a-zA-Z0-9_]+]]: tensor<4x2xf32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<4x16xf32>)
// CHECK:         %[[DYS:[a-zA-Z0-9_]+]], %[[DW:[a-zA-Z0-9_]+]] = moe.combine_grad %[[YS]], %[[P]], %[[W]], %[[DY]] : (tensor<12x16xf32>, tensor<12xi32>, tensor<4x2xf32>, tensor<4x16xf32>) -> (tensor<12x16xf32>, tensor<4x2xf32>)
// CHECK-NEXT:    return %[[DYS]], %[[DW]] :
// GENERIC-LABEL: sym_name = "combine_grad_f32"
// GENERIC:         "moe.combine_grad"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) : (tensor<12x16xf32>, tensor<12xi32>, tensor<4x2xf32>, tensor<4x16xf32>) -> (tensor<12x16xf32>, tensor<4x2xf32>)
func.func @combine_grad_f32(%ys: tensor<12x16xf32>, %perm: tensor<12xi32>,
                            %w: tensor<4x2xf32>, %dy: tensor<4x16xf32>)
    -> (tensor<12x16xf32>, tensor<4x2xf32>) {
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<12x16xf32>, tensor<12xi32>, tensor<4x2xf32>, tensor<4x16xf32>)
      -> (tensor<12x16xf32>, tensor<4x2xf32>)
  return %d_ys, %d_w : tensor<12x16xf32>, tensor<4x2xf32>
}

// bf16 expert rows with f32 weights (as moe.combine allows), dynamic rows
// and tokens, i64 perm.
// CHECK-LABEL: func.func @combine_grad_bf16(
// CHECK:         moe.combine_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x16xbf16>, tensor<?xi64>, tensor<?x6xf32>, tensor<?x16xbf16>) -> (tensor<?x16xbf16>, tensor<?x6xf32>)
func.func @combine_grad_bf16(%ys: tensor<?x16xbf16>, %perm: tensor<?xi64>,
                             %w: tensor<?x6xf32>, %dy: tensor<?x16xbf16>)
    -> (tensor<?x16xbf16>, tensor<?x6xf32>) {
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<?x16xbf16>, tensor<?xi64>, tensor<?x6xf32>, tensor<?x16xbf16>)
      -> (tensor<?x16xbf16>, tensor<?x6xf32>)
  return %d_ys, %d_w : tensor<?x16xbf16>, tensor<?x6xf32>
}

// f64 (the finite-difference tests' precision), fully dynamic.
// CHECK-LABEL: func.func @combine_grad_f64(
// CHECK:         moe.combine_grad %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : (tensor<?x?xf64>, tensor<?xi32>, tensor<?x?xf64>, tensor<?x?xf64>) -> (tensor<?x?xf64>, tensor<?x?xf64>)
func.func @combine_grad_f64(%ys: tensor<?x?xf64>, %perm: tensor<?xi32>,
                            %w: tensor<?x?xf64>, %dy: tensor<?x?xf64>)
    -> (tensor<?x?xf64>, tensor<?x?xf64>) {
  %d_ys, %d_w = moe.combine_grad %ys, %perm, %w, %dy
      : (tensor<?x?xf64>, tensor<?xi32>, tensor<?x?xf64>, tensor<?x?xf64>)
      -> (tensor<?x?xf64>, tensor<?x?xf64>)
  return %d_ys, %d_w : tensor<?x?xf64>, tensor<?x?xf64>
}
