// RUN: moe-opt %s | FileCheck %s
// RUN: moe-opt %s -mlir-print-op-generic | FileCheck %s --check-prefix=GENERIC
// RUN: moe-opt %s | moe-opt | FileCheck %s
// RUN: moe-opt %s -mlir-print-op-generic | moe-opt | FileCheck %s

// Default hyper-parameters are elided when printing; only lr is required.
// CHECK-LABEL: func.func @adamw_defaults(
// CHECK-SAME:      %[[P:[a-zA-Z0-9_]+]]: tensor<1000xf32>, %[[G:[a-zA-Z0-9_]+]]: tensor<1000xf32>, %[[M:[a-zA-Z0-9_]+]]: tensor<1000xf32>, %[[V:[a-zA-Z0-9_]+]]: tensor<1000xf32>, %[[T:[a-zA-Z0-9_]+]]: tensor<i64>)
// CHECK:         %[[NP:[a-zA-Z0-9_]+]], %[[NM:[a-zA-Z0-9_]+]], %[[NV:[a-zA-Z0-9_]+]] = moe.adamw %[[P]], %[[G]], %[[M]], %[[V]] step %[[T]] lr = 1.000000e-03 : (tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>, tensor<i64>) -> (tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>)
// CHECK-NEXT:    return %[[NP]], %[[NM]], %[[NV]] :
// GENERIC-LABEL: sym_name = "adamw_defaults"
// GENERIC:         "moe.adamw"(%{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}) <{beta1 = 9.000000e-01 : f64, beta2 = 0.99899999999999999 : f64, eps = 1.000000e-08 : f64, lr = 1.000000e-03 : f64, weight_decay = 1.000000e-02 : f64}>
func.func @adamw_defaults(%p: tensor<1000xf32>, %g: tensor<1000xf32>,
                          %m: tensor<1000xf32>, %v: tensor<1000xf32>,
                          %t: tensor<i64>)
    -> (tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>) {
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 1.0e-3
      : (tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>,
         tensor<1000xf32>, tensor<i64>)
      -> (tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>)
  return %p1, %m1, %v1 : tensor<1000xf32>, tensor<1000xf32>, tensor<1000xf32>
}

// Every hyper-parameter given; a dynamic 2-D bf16 parameter and an i32 step.
// CHECK-LABEL: func.func @adamw_all_attrs(
// CHECK:         moe.adamw %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} step %{{.*}} lr = 2.000000e-04 beta1 = 8.000000e-01 beta2 = 0.94999999999999996 eps = 9.9999999999999995E-7 weight_decay = 0.000000e+00 : (tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<i32>) -> (tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?x64xbf16>)
// GENERIC-LABEL: sym_name = "adamw_all_attrs"
// GENERIC:         "moe.adamw"({{.*}}) <{beta1 = 8.000000e-01 : f64, beta2 = 0.94999999999999996 : f64, eps = 9.9999999999999995E-7 : f64, lr = 2.000000e-04 : f64, weight_decay = 0.000000e+00 : f64}>
func.func @adamw_all_attrs(%p: tensor<?x64xbf16>, %g: tensor<?x64xbf16>,
                           %m: tensor<?x64xbf16>, %v: tensor<?x64xbf16>,
                           %t: tensor<i32>) {
  %p1, %m1, %v1 = moe.adamw %p, %g, %m, %v step %t lr = 2.0e-4 beta1 = 0.8
      beta2 = 0.95 eps = 1.0e-6 weight_decay = 0.0
      : (tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?x64xbf16>,
         tensor<?x64xbf16>, tensor<i32>)
      -> (tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<?x64xbf16>)
  return
}

// A value equal to its default is elided; f64 and f16 are accepted.
// CHECK-LABEL: func.func @adamw_f64_f16(
// CHECK:         moe.adamw %{{.*}} step %{{.*}} lr = 1.000000e-02 : (tensor<4x8xf64>, {{.*}}) -> (tensor<4x8xf64>, tensor<4x8xf64>, tensor<4x8xf64>)
// CHECK:         moe.adamw %{{.*}} step %{{.*}} lr = 0.000000e+00 weight_decay = 1.000000e-01 : (tensor<7xf16>, {{.*}}) -> (tensor<7xf16>, tensor<7xf16>, tensor<7xf16>)
func.func @adamw_f64_f16(%p: tensor<4x8xf64>, %h: tensor<7xf16>,
                         %t: tensor<i64>) {
  %p1, %m1, %v1 = moe.adamw %p, %p, %p, %p step %t lr = 0.01 beta1 = 0.9
      : (tensor<4x8xf64>, tensor<4x8xf64>, tensor<4x8xf64>, tensor<4x8xf64>,
         tensor<i64>)
      -> (tensor<4x8xf64>, tensor<4x8xf64>, tensor<4x8xf64>)
  %h1, %hm, %hv = moe.adamw %h, %h, %h, %h step %t lr = 0.0
      weight_decay = 0.1
      : (tensor<7xf16>, tensor<7xf16>, tensor<7xf16>, tensor<7xf16>,
         tensor<i64>)
      -> (tensor<7xf16>, tensor<7xf16>, tensor<7xf16>)
  return
}
