import type { GradientRule } from '../gradient-context';
import { batchNormInferenceGradient } from './batch-norm-gradients';
import { convGradient } from './conv-gradient';
import { leakyReluGradient, maxGradient, mulGradient, reluGradient, subGradient, sumGradient } from './elementwise-gradients';
import { concatGradient, gatherGradient, reshapeGradient, transposeGradient } from './layout-gradients';
import { matMulGradient, gemmGradient } from './matmul-gradients';
import { divGradient, dropoutGradient, expGradient, negGradient, reduceSumGradient } from './math-gradients';
import { averagePoolGradient, globalAveragePoolGradient, maxPoolGradient, reduceMeanGradient } from './pooling-gradients';
import { resizeGradient } from './resize-gradient';

/** The gradient rule of every ONNX operator a training graph can differentiate (training-mode BN is separate). */
export const GRADIENT_RULES: Readonly<Record<string, GradientRule>> = {
  Conv: convGradient,
  BatchNormalization: batchNormInferenceGradient,
  Relu: reluGradient,
  LeakyRelu: leakyReluGradient,
  Add: sumGradient,
  Sum: sumGradient,
  Sub: subGradient,
  Max: maxGradient,
  Mul: mulGradient,
  Concat: concatGradient,
  Transpose: transposeGradient,
  Reshape: reshapeGradient,
  Flatten: reshapeGradient,
  Squeeze: reshapeGradient,
  Unsqueeze: reshapeGradient,
  Identity: reshapeGradient,
  Gather: gatherGradient,
  Resize: resizeGradient,
  MaxPool: maxPoolGradient,
  GlobalAveragePool: globalAveragePoolGradient,
  AveragePool: averagePoolGradient,
  ReduceMean: reduceMeanGradient,
  MatMul: matMulGradient,
  Gemm: gemmGradient,
  Exp: expGradient,
  Neg: negGradient,
  Div: divGradient,
  ReduceSum: reduceSumGradient,
  Dropout: dropoutGradient,
};
