// RUN: moe-opt %s | moe-opt | FileCheck %s
// RUN: moe-opt %s --mlir-print-op-generic | moe-opt | FileCheck %s

// Round trips the auxiliary-loss ops in the custom and the generic form. The
// CHECK lines spell out the whole custom form, so any change to a printer or
// parser shows up here.

//===----------------------------------------------------------------------===//
// moe.load_balancing_loss
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @load_balancing_loss_f32(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x8xf32>, %[[I:[a-zA-Z0-9_]+]]: tensor<?x2xi32>)
// CHECK:         %[[A:.*]] = moe.load_balancing_loss %[[L]], %[[I]] alpha = 1.000000e-02 : tensor<?x8xf32>, tensor<?x2xi32> -> tensor<f32>
// CHECK-NEXT:    return %[[A]] : tensor<f32>
func.func @load_balancing_loss_f32(%logits: tensor<?x8xf32>,
                                   %ids: tensor<?x2xi32>) -> tensor<f32> {
  %aux = moe.load_balancing_loss %logits, %ids alpha = 0.01
      : tensor<?x8xf32>, tensor<?x2xi32> -> tensor<f32>
  return %aux : tensor<f32>
}

// f16/bf16 logits give an f32 loss, f64 logits an f64 one; alpha = 0 is
// allowed (the loss switched off).
// CHECK-LABEL: func.func @load_balancing_loss_types(
// CHECK:         moe.load_balancing_loss %{{.*}}, %{{.*}} alpha = 0.000000e+00 : tensor<4x64xbf16>, tensor<4x6xi64> -> tensor<f32>
// CHECK:         moe.load_balancing_loss %{{.*}}, %{{.*}} alpha = 1.000000e+00 : tensor<?x?xf64>, tensor<?x?xi32> -> tensor<f64>
func.func @load_balancing_loss_types(%a: tensor<4x64xbf16>,
                                     %ia: tensor<4x6xi64>,
                                     %b: tensor<?x?xf64>,
                                     %ib: tensor<?x?xi32>)
    -> (tensor<f32>, tensor<f64>) {
  %0 = moe.load_balancing_loss %a, %ia alpha = 0.0
      : tensor<4x64xbf16>, tensor<4x6xi64> -> tensor<f32>
  %1 = moe.load_balancing_loss %b, %ib alpha = 1.0
      : tensor<?x?xf64>, tensor<?x?xi32> -> tensor<f64>
  return %0, %1 : tensor<f32>, tensor<f64>
}

//===----------------------------------------------------------------------===//
// moe.router_z_loss
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @router_z_loss(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x8xf16>, %[[D:[a-zA-Z0-9_]+]]: tensor<3x8xf64>)
// CHECK:         %[[Z:.*]] = moe.router_z_loss %[[L]] : tensor<?x8xf16> -> tensor<f32>
// CHECK-NEXT:    %[[Z64:.*]] = moe.router_z_loss %[[D]] : tensor<3x8xf64> -> tensor<f64>
// CHECK-NEXT:    return %[[Z]], %[[Z64]] : tensor<f32>, tensor<f64>
func.func @router_z_loss(%logits: tensor<?x8xf16>, %d: tensor<3x8xf64>)
    -> (tensor<f32>, tensor<f64>) {
  %z = moe.router_z_loss %logits : tensor<?x8xf16> -> tensor<f32>
  %z64 = moe.router_z_loss %d : tensor<3x8xf64> -> tensor<f64>
  return %z, %z64 : tensor<f32>, tensor<f64>
}

//===----------------------------------------------------------------------===//
// moe.load_balancing_loss_grad
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @load_balancing_loss_grad(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x8xf32>, %[[I:[a-zA-Z0-9_]+]]: tensor<?x2xi32>, %[[D:[a-zA-Z0-9_]+]]: tensor<f32>)
// CHECK:         %[[G:.*]] = moe.load_balancing_loss_grad %[[L]], %[[I]], %[[D]] alpha = 1.000000e-02 : tensor<?x8xf32>, tensor<?x2xi32>, tensor<f32> -> tensor<?x8xf32>
// CHECK-NEXT:    return %[[G]] : tensor<?x8xf32>
func.func @load_balancing_loss_grad(%logits: tensor<?x8xf32>,
                                    %ids: tensor<?x2xi32>,
                                    %daux: tensor<f32>) -> tensor<?x8xf32> {
  %dl = moe.load_balancing_loss_grad %logits, %ids, %daux alpha = 0.01
      : tensor<?x8xf32>, tensor<?x2xi32>, tensor<f32> -> tensor<?x8xf32>
  return %dl : tensor<?x8xf32>
}

// bf16 logits take an f32 dloss and give bf16 d_logits; f64 stays f64, with
// dynamic E and i64 ids.
// CHECK-LABEL: func.func @load_balancing_loss_grad_types(
// CHECK:         moe.load_balancing_loss_grad %{{.*}}, %{{.*}}, %{{.*}} alpha = 0.000000e+00 : tensor<4x64xbf16>, tensor<4x6xi64>, tensor<f32> -> tensor<4x64xbf16>
// CHECK:         moe.load_balancing_loss_grad %{{.*}}, %{{.*}}, %{{.*}} alpha = 1.000000e+00 : tensor<?x?xf64>, tensor<?x1xi32>, tensor<f64> -> tensor<?x?xf64>
func.func @load_balancing_loss_grad_types(%a: tensor<4x64xbf16>,
                                          %ia: tensor<4x6xi64>,
                                          %da: tensor<f32>,
                                          %b: tensor<?x?xf64>,
                                          %ib: tensor<?x1xi32>,
                                          %db: tensor<f64>)
    -> (tensor<4x64xbf16>, tensor<?x?xf64>) {
  %0 = moe.load_balancing_loss_grad %a, %ia, %da alpha = 0.0
      : tensor<4x64xbf16>, tensor<4x6xi64>, tensor<f32> -> tensor<4x64xbf16>
  %1 = moe.load_balancing_loss_grad %b, %ib, %db alpha = 1.0
      : tensor<?x?xf64>, tensor<?x1xi32>, tensor<f64> -> tensor<?x?xf64>
  return %0, %1 : tensor<4x64xbf16>, tensor<?x?xf64>
}

//===----------------------------------------------------------------------===//
// moe.router_z_loss_grad
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @router_z_loss_grad(
// CHECK-SAME:      %[[L:[a-zA-Z0-9_]+]]: tensor<?x8xf16>, %[[DZ:[a-zA-Z0-9_]+]]: tensor<f32>, %[[L64:[a-zA-Z0-9_]+]]: tensor<3x8xf64>, %[[DZ64:[a-zA-Z0-9_]+]]: tensor<f64>)
// CHECK:         %[[G:.*]] = moe.router_z_loss_grad %[[L]], %[[DZ]] : tensor<?x8xf16>, tensor<f32> -> tensor<?x8xf16>
// CHECK-NEXT:    %[[G64:.*]] = moe.router_z_loss_grad %[[L64]], %[[DZ64]] : tensor<3x8xf64>, tensor<f64> -> tensor<3x8xf64>
// CHECK-NEXT:    return %[[G]], %[[G64]] : tensor<?x8xf16>, tensor<3x8xf64>
func.func @router_z_loss_grad(%logits: tensor<?x8xf16>, %dz: tensor<f32>,
                              %d: tensor<3x8xf64>, %dz64: tensor<f64>)
    -> (tensor<?x8xf16>, tensor<3x8xf64>) {
  %g = moe.router_z_loss_grad %logits, %dz
      : tensor<?x8xf16>, tensor<f32> -> tensor<?x8xf16>
  %g64 = moe.router_z_loss_grad %d, %dz64
      : tensor<3x8xf64>, tensor<f64> -> tensor<3x8xf64>
  return %g, %g64 : tensor<?x8xf16>, tensor<3x8xf64>
}

//===----------------------------------------------------------------------===//
// moe.bias_update
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @bias_update(
// CHECK-SAME:      %[[B:[a-zA-Z0-9_]+]]: tensor<256xf32>, %[[I:[a-zA-Z0-9_]+]]: tensor<?x8xi32>)
// CHECK:         %[[N:.*]] = moe.bias_update %[[B]], %[[I]] gamma = 1.000000e-03 : tensor<256xf32>, tensor<?x8xi32> -> tensor<256xf32>
// CHECK-NEXT:    return %[[N]] : tensor<256xf32>
func.func @bias_update(%bias: tensor<256xf32>, %ids: tensor<?x8xi32>)
    -> tensor<256xf32> {
  %new = moe.bias_update %bias, %ids gamma = 0.001
      : tensor<256xf32>, tensor<?x8xi32> -> tensor<256xf32>
  return %new : tensor<256xf32>
}

// A dynamic number of experts, f64 and i64 ids.
// CHECK-LABEL: func.func @bias_update_dynamic(
// CHECK:         moe.bias_update %{{.*}}, %{{.*}} gamma = 0.000000e+00 : tensor<?xf64>, tensor<?x?xi64> -> tensor<?xf64>
func.func @bias_update_dynamic(%bias: tensor<?xf64>, %ids: tensor<?x?xi64>)
    -> tensor<?xf64> {
  %new = moe.bias_update %bias, %ids gamma = 0.0
      : tensor<?xf64>, tensor<?x?xi64> -> tensor<?xf64>
  return %new : tensor<?xf64>
}

//===----------------------------------------------------------------------===//
// moe.mse_loss, moe.mse_loss_grad
//===----------------------------------------------------------------------===//

// CHECK-LABEL: func.func @mse_loss(
// CHECK:         %[[L:.+]] = moe.mse_loss %{{.+}}, %{{.+}} : tensor<?x64xbf16>, tensor<?x64xbf16> -> tensor<f32>
// CHECK:         moe.mse_loss_grad %{{.+}}, %{{.+}}, %[[L]] : tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<f32> -> tensor<?x64xbf16>
func.func @mse_loss(%y: tensor<?x64xbf16>, %t: tensor<?x64xbf16>) -> tensor<?x64xbf16> {
  %l = moe.mse_loss %y, %t : tensor<?x64xbf16>, tensor<?x64xbf16> -> tensor<f32>
  %d = moe.mse_loss_grad %y, %t, %l : tensor<?x64xbf16>, tensor<?x64xbf16>, tensor<f32> -> tensor<?x64xbf16>
  return %d : tensor<?x64xbf16>
}

// CHECK-LABEL: func.func @mse_loss_f64_rank3(
// CHECK:         moe.mse_loss %{{.+}}, %{{.+}} : tensor<2x3x4xf64>, tensor<2x3x4xf64> -> tensor<f64>
func.func @mse_loss_f64_rank3(%y: tensor<2x3x4xf64>, %t: tensor<2x3x4xf64>) -> tensor<f64> {
  %l = moe.mse_loss %y, %t : tensor<2x3x4xf64>, tensor<2x3x4xf64> -> tensor<f64>
  return %l : tensor<f64>
}
