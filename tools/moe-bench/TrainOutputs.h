//===- TrainOutputs.h - what a forward + backward returns -------*- C++ -*-===//

#ifndef MOEC_TOOLS_MOEBENCH_TRAINOUTPUTS_H
#define MOEC_TOOLS_MOEBENCH_TRAINOUTPUTS_H

#include "llvm/ADT/ArrayRef.h"

#include <vector>

namespace moec::bench {

/// The results of @moe_layer_grad in its order: y, then the gradient of
/// every input of @moe_layer but the routing bias (which gets none): x, the
/// router weight, w_gate, w_up, w_down, and the shared experts' gate, up and
/// down when the layer has them. f32, row-major, in the inputs' shapes.
using TrainOutputs = std::vector<std::vector<float>>;

/// The names of those results, `shared` with the shared experts'.
inline llvm::ArrayRef<const char *> trainOutputNames(bool shared) {
  static const char *const names[] = {"y",
                                      "dx",
                                      "d_router_w",
                                      "d_w_gate",
                                      "d_w_up",
                                      "d_w_down",
                                      "d_shared_gate",
                                      "d_shared_up",
                                      "d_shared_down"};
  return llvm::ArrayRef(names).take_front(shared ? 9 : 6);
}

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_TRAINOUTPUTS_H
