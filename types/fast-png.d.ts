// fast-png ships ES-module-only typings behind package "exports", which this workspace's
// `moduleResolution: node` cannot see. This declares the part of its API that the workspace uses (fast-png 8).
declare module 'fast-png' {
  export interface DecodedPng {
    width: number;
    height: number;
    data: Uint8Array | Uint8ClampedArray | Uint16Array;
    depth: 1 | 2 | 4 | 8 | 16;
    channels: number;
    palette?: number[][];
  }
  export interface PngImageData {
    width: number;
    height: number;
    data: Uint8Array | Uint8ClampedArray | Uint16Array;
    depth?: 1 | 2 | 4 | 8 | 16;
    channels?: number;
    palette?: number[][];
  }
  export function decode(data: ArrayBufferLike | ArrayBufferView, options?: { checkCrc?: boolean }): DecodedPng;
  export function encode(png: PngImageData): Uint8Array;
}
