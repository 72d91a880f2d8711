import 'reflect-metadata';
import { IsIn, IsInt, Min } from 'class-validator';
import { container, inject, injectable } from 'tsyringe';
import type { ComponentContext } from '../interfaces/component-context';
import { ConfigError } from '../errors';
import { TOKENS } from '../tokens';
import { Registry } from './registry';

class StubBackboneOptions {
  @IsIn([8, 16]) outputStride = 16;
  @IsInt() @Min(1) depth = 50;
}

@injectable()
class StubBackbone {
  constructor(readonly options: StubBackboneOptions) {}
}

function registry(): Registry<StubBackbone> {
  return new Registry<StubBackbone>('backbone').register('stub', StubBackbone, StubBackboneOptions, 'a test backbone');
}

describe('Registry', () => {
  it('builds a component with validated options and defaults injected by class', () => {
    const built = registry().build({ type: 'stub', outputStride: 8 }, 'model.backbone');
    expect(built).toBeInstanceOf(StubBackbone);
    expect(built.options).toBeInstanceOf(StubBackboneOptions);
    expect(built.options.outputStride).toBe(8);
    expect(built.options.depth).toBe(50);
  });

  it('registers the options under TOKENS.Options in a child container, not in the parent', () => {
    const parent = container.createChildContainer();
    registry().build({ type: 'stub' }, 'x', parent);
    expect(parent.isRegistered(TOKENS.Options, false)).toBe(false);
  });

  it('injects the run context under TOKENS.RunContext and its class space under TOKENS.ClassSpace', () => {
    @injectable()
    class SeededBackbone {
      constructor(
        @inject(TOKENS.RunContext) readonly context: ComponentContext,
        @inject(TOKENS.ClassSpace) readonly classSpace: unknown,
      ) {}
    }
    const classSpace = { numClasses: 3 } as unknown as NonNullable<ComponentContext['classSpace']>;
    const seeded = new Registry<SeededBackbone>('backbone').register('seeded', SeededBackbone, StubBackboneOptions, 'a test backbone');
    const built = seeded.build({ type: 'seeded' }, 'model.backbone', container, { seed: 7, classSpace });
    expect(built.context.seed).toBe(7);
    expect(built.classSpace).toBe(classSpace);
  });

  it('registers an empty run context when the builder passes none', () => {
    @injectable()
    class ContextBackbone {
      constructor(@inject(TOKENS.RunContext) readonly context: ComponentContext) {}
    }
    const built = new Registry<ContextBackbone>('backbone').register('c', ContextBackbone, StubBackboneOptions, 'a test backbone').build({ type: 'c' }, 'x');
    expect(built.context).toEqual({});
  });

  it('names the full config path and the constraint of an invalid option', () => {
    expect(() => registry().build({ type: 'stub', outputStride: 32 }, 'model.backbone')).toThrow(
      /model\.backbone\.outputStride: must be one of the following values: 8, 16/,
    );
  });

  it('reports every invalid option at once', () => {
    try {
      registry().build({ type: 'stub', outputStride: 4, depth: 0 }, 'model.backbone');
      throw new Error('expected a ConfigError');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).issues.map((i) => i.path).sort()).toEqual(['model.backbone.depth', 'model.backbone.outputStride']);
    }
  });

  it('rejects an unknown option and lists the allowed ones', () => {
    expect(() => registry().build({ type: 'stub', outputstride: 8 }, 'model.backbone')).toThrow(
      /model\.backbone\.outputstride: unknown option \(allowed: depth, outputStride\)/,
    );
  });

  it('lists the registered types when the type is unknown', () => {
    const reg = registry().register('other', StubBackbone, StubBackboneOptions, 'another');
    expect(() => reg.build({ type: 'resnet' }, 'model.backbone')).toThrow(
      /model\.backbone\.type: unknown backbone "resnet"; registered: other, stub/,
    );
  });

  it('refuses to register the same type twice', () => {
    expect(() => registry().register('stub', StubBackbone, StubBackboneOptions, 'dup', 'my-plugin').register('stub', StubBackbone, StubBackboneOptions, 'dup', 'my-plugin')).toThrow(
      /already registered/,
    );
  });

  it('describes options with their defaults', () => {
    expect(registry().describeOptions('stub')).toEqual([
      { name: 'depth', default: 50, optional: false },
      { name: 'outputStride', default: 16, optional: false },
    ]);
  });

  it('rejects a component config that is not a mapping', () => {
    expect(registry().issues('stub', 'model.backbone')[0].message).toMatch(/expected a backbone mapping/);
    expect(registry().issues({ outputStride: 8 }, 'model.backbone')[0]).toEqual({
      path: 'model.backbone.type',
      message: 'required; one of: stub',
    });
  });
});

describe('Registry with an option-less component', () => {
  class NoOptions {}
  @injectable()
  class Plain {}
  it('builds it and rejects any option', () => {
    const reg = new Registry<Plain>('thing').register('plain', Plain, NoOptions, 'no options');
    expect(reg.build({ type: 'plain' }, 'x')).toBeInstanceOf(Plain);
    expect(() => reg.build({ type: 'plain', size: 1 }, 'x')).toThrow(/x\.size: unknown option \(this component takes no options\)/);
  });
});
