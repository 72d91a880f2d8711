import * as tf from '@tensorflow/tfjs';

/**
 * A tree of named parameters. Names are dotted paths ("layer1.0.conv1.weight"), the same scheme torchvision
 * uses, so checkpoints and imported weights address parameters by one stable key.
 */
export abstract class Module {
  private readonly params = new Map<string, tf.Variable>();
  private readonly children = new Map<string, Module>();
  private parent?: Module;
  private localName = '';

  /** Creates a variable owned by this module; non-trainable ones (running statistics) are still saved. */
  protected param(name: string, value: tf.Tensor, trainable = true): tf.Variable {
    if (this.params.has(name) || this.children.has(name)) throw new Error(`${this.path() || 'module'}: '${name}' is defined twice`);
    const v = tf.variable(value, trainable);
    value.dispose();
    this.params.set(name, v);
    return v;
  }

  protected child<M extends Module>(name: string, module: M): M {
    if (this.params.has(name) || this.children.has(name)) throw new Error(`${this.path() || 'module'}: '${name}' is defined twice`);
    module.parent = this;
    module.localName = name;
    this.children.set(name, module);
    return module;
  }

  /** Dotted path from the root module (empty for the root). */
  path(): string {
    if (!this.parent) return '';
    const up = this.parent.path();
    return up ? `${up}.${this.localName}` : this.localName;
  }

  /** Full name of one of this module's own parameters, used for ONNX initialisers. */
  paramPath(name: string): string {
    const p = this.path();
    return p ? `${p}.${name}` : name;
  }

  /** Every parameter under this module, keyed relative to it, in definition order. */
  namedVariables(prefix = ''): Map<string, tf.Variable> {
    const out = new Map<string, tf.Variable>();
    for (const [n, v] of this.params) out.set(prefix + n, v);
    for (const [n, c] of this.children) for (const [k, v] of c.namedVariables(`${prefix}${n}.`)) out.set(k, v);
    return out;
  }

  /** This module and every module below it, depth first in definition order. */
  modules(): Module[] {
    return [this, ...[...this.children.values()].flatMap((c) => c.modules())];
  }

  trainableVariables(): tf.Variable[] {
    return [...this.namedVariables().values()].filter((v) => v.trainable);
  }

  /** Stops every parameter below this module from training (frozen trunks, frozen batch norm). */
  freeze(): void {
    for (const v of this.params.values()) v.trainable = false;
    for (const c of this.children.values()) c.freeze();
  }

  dispose(): void {
    for (const v of this.params.values()) v.dispose();
    for (const c of this.children.values()) c.dispose();
  }
}
