// tfjs prints a "install tfjs-node" banner the first time its cpu backend is used in Node; tests pick
// backends on purpose, so mute that one banner (IS_TEST only silences tfjs's own log.warn).
try {
  require('@tensorflow/tfjs-core').env().set('IS_TEST', true);
} catch {
  // tfjs not installed in this context: nothing to silence.
}
