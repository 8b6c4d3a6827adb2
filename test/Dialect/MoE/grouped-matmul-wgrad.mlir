// RUN: moe-opt %s | FileCheck %s
// RUN: moe-opt %s -mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: moe-opt %s | moe-opt | FileCheck %s
// RUN: moe-opt %s -mlir-print-op-generic | moe-opt | FileCheck %s

// f32, dynamic rows.
// CHECK-LABEL: func.func @wgrad_f32(
// CHECK-SAME:      %[[X:[a-zA-Z0-9_]+]]: tensor<?x32xf32>, %[[DY:[a-zA-Z0-9_]+]]: tensor<?x16xf32>, %[[OFF:[a-zA-Z0-9_]+]]: tensor<9xi32>)
// CHECK:         %[[DW:[a-zA-Z0-9_]+]] = moe.grouped_matmul_wgrad %[[X]], %[[DY]], %[[OFF]] : tensor<?x32xf32>, tensor<?x16xf32>, tensor<9xi32> -> tensor<8x32x16xf32>
// CHECK-NEXT:    return %[[DW]] :
// GENERIC-LABEL: sym_name = "wgrad_f32"
// GENERIC:         "moe.grouped_matmul_wgrad"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<?x32xf32>, tensor<?x16xf32>, tensor<9xi32>) -> tensor<8x32x16xf32>
func.func @wgrad_f32(%xs: tensor<?x32xf32>, %dy: tensor<?x16xf32>,
                     %offsets: tensor<9xi32>) -> tensor<8x32x16xf32> {
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x32xf32>, tensor<?x16xf32>, tensor<9xi32> -> tensor<8x32x16xf32>
  return %dw : tensor<8x32x16xf32>
}

// bf16, static rows, i64 offsets.
// CHECK-LABEL: func.func @wgrad_bf16(
// CHECK:         moe.grouped_matmul_wgrad %{{.*}}, %{{.*}}, %{{.*}} : tensor<24x32xbf16>, tensor<24x16xbf16>, tensor<5xi64> -> tensor<4x32x16xbf16>
func.func @wgrad_bf16(%xs: tensor<24x32xbf16>, %dy: tensor<24x16xbf16>,
                      %offsets: tensor<5xi64>) -> tensor<4x32x16xbf16> {
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<24x32xbf16>, tensor<24x16xbf16>, tensor<5xi64>
      -> tensor<4x32x16xbf16>
  return %dw : tensor<4x32x16xbf16>
}

// f64 with every operand dimension dynamic: the result fixes E, K and N.
// CHECK-LABEL: func.func @wgrad_f64_dynamic(
// CHECK:         moe.grouped_matmul_wgrad %{{.*}}, %{{.*}}, %{{.*}} : tensor<?x?xf64>, tensor<?x?xf64>, tensor<?xi32> -> tensor<2x8x4xf64>
func.func @wgrad_f64_dynamic(%xs: tensor<?x?xf64>, %dy: tensor<?x?xf64>,
                             %offsets: tensor<?xi32>) -> tensor<2x8x4xf64> {
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<?x?xf64>, tensor<?x?xf64>, tensor<?xi32> -> tensor<2x8x4xf64>
  return %dw : tensor<2x8x4xf64>
}

// One expert, one row (f16).
// CHECK-LABEL: func.func @wgrad_one_row(
// CHECK:         moe.grouped_matmul_wgrad %{{.*}}, %{{.*}}, %{{.*}} : tensor<1x8xf16>, tensor<1x4xf16>, tensor<2xi32> -> tensor<1x8x4xf16>
func.func @wgrad_one_row(%xs: tensor<1x8xf16>, %dy: tensor<1x4xf16>,
                         %offsets: tensor<2xi32>) -> tensor<1x8x4xf16> {
  %dw = moe.grouped_matmul_wgrad %xs, %dy, %offsets
      : tensor<1x8xf16>, tensor<1x4xf16>, tensor<2xi32> -> tensor<1x8x4xf16>
  return %dw : tensor<1x8x4xf16>
}
