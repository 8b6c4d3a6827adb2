// One training step of a small MoE layer (H = 64, I = 32, 8 experts, top-2
// softmax routing with renormalised weights), as one compiled function:
// forward, loss, backward and AdamW on every parameter.
//
// - @loss is the forward pass and the loss: the mean squared error of the
//   layer's output against a target plus the Switch/GShard load-balancing
//   loss of the router (alpha = 0.01).
// - @loss_grad is its gradient: declared here so that @train_step parses,
//   defined by --moe-grad="functions=loss" (Compiler::gradientSource(source,
//   "loss") in the C++ API), which differentiates @loss with respect to all
//   its arguments (x and target included; the compiler drops what
//   @train_step does not use once the call is inlined).
// - @train_step updates the router and expert weights and their AdamW
//   moments in the caller's buffers: each updated tensor is a result tied to
//   its argument with `moe.in_place` (docs/training-design.md).
//
//   moe-opt examples/train_step.mlir --moe-grad="functions=loss" \
//       --moe-cpu-pipeline
//
// The C++ API runs it (test/Unit/TrainStepTest.cpp) for 50 steps on a
// synthetic regression task and checks that the loss falls.

func.func private @loss(%x: tensor<?x64xf32>, %target: tensor<?x64xf32>,
                        %router: tensor<64x8xf32>, %w_gate: tensor<8x64x32xf32>,
                        %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>)
    -> tensor<f32> {
  %c0 = arith.constant 0 : index
  %zero = arith.constant 0.0 : f32
  %tokens = tensor.dim %x, %c0 : tensor<?x64xf32>
  %empty = tensor.empty(%tokens) : tensor<?x8xf32>
  %acc = linalg.fill ins(%zero : f32) outs(%empty : tensor<?x8xf32>) -> tensor<?x8xf32>
  %logits = linalg.matmul ins(%x, %router : tensor<?x64xf32>, tensor<64x8xf32>)
      outs(%acc : tensor<?x8xf32>) -> tensor<?x8xf32>
  %weights, %ids = moe.router %logits routing <k = 2, norm_topk_prob = true>
      : (tensor<?x8xf32>) -> (tensor<?x2xf32>, tensor<?x2xi32>)
  %xs, %perm, %offsets = moe.dispatch %x, %ids experts = 8
      : tensor<?x64xf32>, tensor<?x2xi32>
      -> tensor<?x64xf32>, tensor<?xi32>, tensor<9xi32>
  %gate = moe.grouped_matmul %xs, %w_gate, %offsets
      : tensor<?x64xf32>, tensor<8x64x32xf32>, tensor<9xi32> -> tensor<?x32xf32>
  %up = moe.grouped_matmul %xs, %w_up, %offsets
      : tensor<?x64xf32>, tensor<8x64x32xf32>, tensor<9xi32> -> tensor<?x32xf32>
  %h = moe.swiglu %gate, %up
      : tensor<?x32xf32>, tensor<?x32xf32> -> tensor<?x32xf32>
  %ys = moe.grouped_matmul %h, %w_down, %offsets
      : tensor<?x32xf32>, tensor<8x32x64xf32>, tensor<9xi32> -> tensor<?x64xf32>
  %y = moe.combine %ys, %perm, %weights
      : tensor<?x64xf32>, tensor<?xi32>, tensor<?x2xf32> -> tensor<?x64xf32>
  %mse = moe.mse_loss %y, %target
      : tensor<?x64xf32>, tensor<?x64xf32> -> tensor<f32>
  %aux = moe.load_balancing_loss %logits, %ids alpha = 1.0e-2
      : tensor<?x8xf32>, tensor<?x2xi32> -> tensor<f32>
  %loss = arith.addf %mse, %aux : tensor<f32>
  return %loss : tensor<f32>
}

func.func private @loss_grad(tensor<?x64xf32>, tensor<?x64xf32>,
                             tensor<64x8xf32>, tensor<8x64x32xf32>,
                             tensor<8x64x32xf32>, tensor<8x32x64xf32>,
                             tensor<f32>)
    -> (tensor<f32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<64x8xf32>,
        tensor<8x64x32xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)

func.func @train_step(
    %x: tensor<?x64xf32>, %target: tensor<?x64xf32>,
    %router: tensor<64x8xf32>, %w_gate: tensor<8x64x32xf32>,
    %w_up: tensor<8x64x32xf32>, %w_down: tensor<8x32x64xf32>,
    %m_router: tensor<64x8xf32>, %v_router: tensor<64x8xf32>,
    %m_gate: tensor<8x64x32xf32>, %v_gate: tensor<8x64x32xf32>,
    %m_up: tensor<8x64x32xf32>, %v_up: tensor<8x64x32xf32>,
    %m_down: tensor<8x32x64xf32>, %v_down: tensor<8x32x64xf32>,
    %step: tensor<i64>)
    -> (tensor<f32>,
        tensor<64x8xf32> {moe.in_place = 2 : i64},
        tensor<8x64x32xf32> {moe.in_place = 3 : i64},
        tensor<8x64x32xf32> {moe.in_place = 4 : i64},
        tensor<8x32x64xf32> {moe.in_place = 5 : i64},
        tensor<64x8xf32> {moe.in_place = 6 : i64},
        tensor<64x8xf32> {moe.in_place = 7 : i64},
        tensor<8x64x32xf32> {moe.in_place = 8 : i64},
        tensor<8x64x32xf32> {moe.in_place = 9 : i64},
        tensor<8x64x32xf32> {moe.in_place = 10 : i64},
        tensor<8x64x32xf32> {moe.in_place = 11 : i64},
        tensor<8x32x64xf32> {moe.in_place = 12 : i64},
        tensor<8x32x64xf32> {moe.in_place = 13 : i64}) {
  %one = arith.constant dense<1.0> : tensor<f32>
  %loss, %dx, %dtarget, %d_router, %d_gate, %d_up, %d_down =
      func.call @loss_grad(%x, %target, %router, %w_gate, %w_up, %w_down, %one)
      : (tensor<?x64xf32>, tensor<?x64xf32>, tensor<64x8xf32>,
         tensor<8x64x32xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>,
         tensor<f32>)
      -> (tensor<f32>, tensor<?x64xf32>, tensor<?x64xf32>, tensor<64x8xf32>,
          tensor<8x64x32xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>)
  %router1, %m_router1, %v_router1 =
      moe.adamw %router, %d_router, %m_router, %v_router step %step lr = 1.0e-2
      : (tensor<64x8xf32>, tensor<64x8xf32>, tensor<64x8xf32>, tensor<64x8xf32>, tensor<i64>)
      -> (tensor<64x8xf32>, tensor<64x8xf32>, tensor<64x8xf32>)
  %gate1, %m_gate1, %v_gate1 =
      moe.adamw %w_gate, %d_gate, %m_gate, %v_gate step %step lr = 1.0e-2
      : (tensor<8x64x32xf32>, tensor<8x64x32xf32>, tensor<8x64x32xf32>, tensor<8x64x32xf32>, tensor<i64>)
      -> (tensor<8x64x32xf32>, tensor<8x64x32xf32>, tensor<8x64x32xf32>)
  %up1, %m_up1, %v_up1 =
      moe.adamw %w_up, %d_up, %m_up, %v_up step %step lr = 1.0e-2
      : (tensor<8x64x32xf32>, tensor<8x64x32xf32>, tensor<8x64x32xf32>, tensor<8x64x32xf32>, tensor<i64>)
      -> (tensor<8x64x32xf32>, tensor<8x64x32xf32>, tensor<8x64x32xf32>)
  %down1, %m_down1, %v_down1 =
      moe.adamw %w_down, %d_down, %m_down, %v_down step %step lr = 1.0e-2
      : (tensor<8x32x64xf32>, tensor<8x32x64xf32>, tensor<8x32x64xf32>, tensor<8x32x64xf32>, tensor<i64>)
      -> (tensor<8x32x64xf32>, tensor<8x32x64xf32>, tensor<8x32x64xf32>)
  return %loss, %router1, %gate1, %up1, %down1, %m_router1, %v_router1,
         %m_gate1, %v_gate1, %m_up1, %v_up1, %m_down1, %v_down1
      : tensor<f32>, tensor<64x8xf32>, tensor<8x64x32xf32>,
        tensor<8x64x32xf32>, tensor<8x32x64xf32>, tensor<64x8xf32>,
        tensor<64x8xf32>, tensor<8x64x32xf32>, tensor<8x64x32xf32>,
        tensor<8x64x32xf32>, tensor<8x64x32xf32>, tensor<8x32x64xf32>,
        tensor<8x32x64xf32>
}
