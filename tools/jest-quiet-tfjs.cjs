// tfjs prints a "install tfjs-node" banner the first time its cpu backend is used in Node; tests pick
// backends on purpose, so mute that one banner (PROD silences tfjs's log.warn; IS_TEST would also turn on per-kernel leak checks, which slow every test).
try {
  require('@tensorflow/tfjs-core').env().set('PROD', true);
} catch {
  // tfjs not installed in this context: nothing to silence.
}
