import { readSafetensors, type SafetensorsFile } from '../safetensors';
import { readPth } from './read-pth';

/** Weights from a `.safetensors` file, or from a PyTorch `.pth` / `.pt` state dict (read without Python). */
export function readWeightsFile(file: string): SafetensorsFile {
  return /\.(pth|pt)$/i.test(file) ? readPth(file) : readSafetensors(file);
}
