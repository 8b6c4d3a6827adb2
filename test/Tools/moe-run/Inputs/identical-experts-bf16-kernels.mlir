// identical-experts-bf16.mlir at sizes the CPU kernels take (H and I
// multiples of the panel width): gate/up and down run as packed, tiled
// kernels, with AVX512_BF16 dot products where the host has them.
func.func @moe_layer(%x: tensor<?x64xbf16>, %rw: tensor<64x4xbf16>,
                     %wg: tensor<4x64x32xbf16>, %wu: tensor<4x64x32xbf16>,
                     %wd: tensor<4x32x64xbf16>) -> tensor<?x64xbf16> {
  %y = moe.layer %x router %rw experts %wg, %wu, %wd
      routing <k = 2, norm_topk_prob = true>
      : (tensor<?x64xbf16>, tensor<64x4xbf16>, tensor<4x64x32xbf16>,
         tensor<4x64x32xbf16>, tensor<4x32x64xbf16>) -> tensor<?x64xbf16>
  return %y : tensor<?x64xbf16>
}
