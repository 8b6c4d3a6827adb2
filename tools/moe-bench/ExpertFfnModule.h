//===- ExpertFfnModule.h - the expert FFN alone as a moe module -*- C++ -*-===//
//
// The gemm cases time the grouped GEMMs apart from routing, dispatch and
// combine, which the layer API cannot do: they compile this module, which
// takes the rows already in dispatch order.
//
//===----------------------------------------------------------------------===//

#ifndef MOEC_TOOLS_MOEBENCH_EXPERTFFNMODULE_H
#define MOEC_TOOLS_MOEBENCH_EXPERTFFNMODULE_H

#include "moec/Model/LayerConfig.h"

#include <string>

namespace moec::bench {

constexpr const char *kExpertFfnEntry = "expert_ffn";

/// `@expert_ffn(xs [?, H], offsets [E+1] i32, w_gate [E,H,I], w_up [E,H,I],
/// w_down [E,I,H]) -> [?, H]`: per expert, its rows through gate and up
/// (moe.grouped_matmul), moe.swiglu (with the config's limit), down.
std::string expertFfnSource(const MoELayerConfig &config);

} // namespace moec::bench

#endif // MOEC_TOOLS_MOEBENCH_EXPERTFFNMODULE_H
