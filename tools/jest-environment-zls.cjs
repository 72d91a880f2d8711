// The node test environment with a few of the host realm's globals shared into jest's sandbox:
// - typed arrays: onnxruntime-node's native code builds them in Node's main realm and onnxruntime-common
//   checks `data instanceof Float32Array` in the sandbox realm, which fails with the sandbox's own constructors;
// - Math: reading the sandbox's Math is many times slower than the host's in hot numeric loops (tfjs's cpu
//   backend, the synthetic generator), which made small tests take minutes.
// Outside jest there is only one realm, so this changes nothing the product does.
const NodeEnvironment = require('jest-environment-node').TestEnvironment;

const SHARED = [
  'Math',
  'ArrayBuffer', 'SharedArrayBuffer', 'DataView',
  'Float32Array', 'Float64Array', 'Int8Array', 'Int16Array', 'Int32Array',
  'Uint8Array', 'Uint8ClampedArray', 'Uint16Array', 'Uint32Array', 'BigInt64Array', 'BigUint64Array',
];

class ZlsTestEnvironment extends NodeEnvironment {
  constructor(config, context) {
    super(config, context);
    for (const name of SHARED) this.global[name] = globalThis[name];
  }
}

module.exports = ZlsTestEnvironment;
