//===- moec.h - everything a framework needs to embed moec ------*- C++ -*-===//

#ifndef MOEC_MOEC_H
#define MOEC_MOEC_H

#include "moec/Model/LayerConfig.h"
#include "moec/Runtime/Compiler.h"
#include "moec/Runtime/Signature.h"
#include "moec/Runtime/TensorView.h"

#endif // MOEC_MOEC_H
