// RUN: moe-opt %s | FileCheck %s
// RUN: moe-opt %s -mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: moe-opt %s | moe-opt | FileCheck %s
// RUN: moe-opt %s -mlir-print-op-generic | moe-opt | FileCheck %s

// Without a limit, nothing is printed after the operands.
// CHECK-LABEL: func.func @swiglu_grad_f32(
// CHECK-SAME:      %[[G:[a-zA-Z0-9_]+]]: tensor<8x16xf32>, %[[U:[a-zA-Z0-9_]+]]: tensor<8x16xf32>, %[[DH:[a-zA-Z0-9_]+]]: tensor<8x16xf32>)
// CHECK:         %[[DG:[a-zA-Z0-9_]+]], %[[DU:[a-zA-Z0-9_]+]] = moe.swiglu_grad %[[G]], %[[U]], %[[DH]] : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>)
// CHECK-NEXT:    return %[[DG]], %[[DU]] :
// GENERIC-LABEL: sym_name = "swiglu_grad_f32"
// GENERIC:         "moe.swiglu_grad"(%{{.*}}, %{{.*}}, %{{.*}}) : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>) -> (tensor<8x16xf32>, tensor<8x16xf32>)
func.func @swiglu_grad_f32(%g: tensor<8x16xf32>, %u: tensor<8x16xf32>,
                           %dh: tensor<8x16xf32>)
    -> (tensor<8x16xf32>, tensor<8x16xf32>) {
  %dg, %du = moe.swiglu_grad %g, %u, %dh
      : (tensor<8x16xf32>, tensor<8x16xf32>, tensor<8x16xf32>)
      -> (tensor<8x16xf32>, tensor<8x16xf32>)
  return %dg, %du : tensor<8x16xf32>, tensor<8x16xf32>
}

// A limit, a dynamic bf16 shape.
// CHECK-LABEL: func.func @swiglu_grad_limit_bf16(
// CHECK:         moe.swiglu_grad %{{.*}}, %{{.*}}, %{{.*}} limit = 7.000000e+00 : (tensor<?x16xbf16>, tensor<?x16xbf16>, tensor<?x16xbf16>) -> (tensor<?x16xbf16>, tensor<?x16xbf16>)
// GENERIC-LABEL: sym_name = "swiglu_grad_limit_bf16"
// GENERIC:         "moe.swiglu_grad"(%{{.*}}, %{{.*}}, %{{.*}}) <{limit = 7.000000e+00 : f64}>
func.func @swiglu_grad_limit_bf16(%g: tensor<?x16xbf16>, %u: tensor<?x16xbf16>,
                                  %dh: tensor<?x16xbf16>)
    -> (tensor<?x16xbf16>, tensor<?x16xbf16>) {
  %dg, %du = moe.swiglu_grad %g, %u, %dh limit = 7.0
      : (tensor<?x16xbf16>, tensor<?x16xbf16>, tensor<?x16xbf16>)
      -> (tensor<?x16xbf16>, tensor<?x16xbf16>)
  return %dg, %du : tensor<?x16xbf16>, tensor<?x16xbf16>
}

// f64 (the finite-difference tests' precision) and rank 1.
// CHECK-LABEL: func.func @swiglu_grad_f64(
// CHECK:         moe.swiglu_grad %{{.*}}, %{{.*}}, %{{.*}} limit = 2.500000e-01 : (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>) -> (tensor<?xf64>, tensor<?xf64>)
func.func @swiglu_grad_f64(%g: tensor<?xf64>, %u: tensor<?xf64>,
                           %dh: tensor<?xf64>)
    -> (tensor<?xf64>, tensor<?xf64>) {
  %dg, %du = moe.swiglu_grad %g, %u, %dh limit = 0.25
      : (tensor<?xf64>, tensor<?xf64>, tensor<?xf64>)
      -> (tensor<?xf64>, tensor<?xf64>)
  return %dg, %du : tensor<?xf64>, tensor<?xf64>
}
