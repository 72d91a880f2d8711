// Shared jest settings: swc with legacy decorators + metadata (tsyringe, class-validator need both),
// and @zls/* resolved to sources through tsconfig.base.json paths.
const path = require('node:path');
const { compilerOptions } = require('./tsconfig.base.json');

const moduleNameMapper = {};
for (const [alias, [target]] of Object.entries(compilerOptions.paths)) {
  moduleNameMapper[`^${alias.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')}$`] = path.join(__dirname, target);
}

module.exports = {
  testEnvironment: path.join(__dirname, 'tools/jest-environment-zls.cjs'),
  // tfjs keeps its engine on the global object; jest's soft cleanup of globals only produces warnings.
  testEnvironmentOptions: { globalsCleanup: 'off' },
  // Numerical specs that train small networks take a few seconds on an idle 2-core machine; jest's 5 s default
  // fails them when other work shares the cores. Hangs are still caught.
  testTimeout: 30_000,
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          keepClassNames: true,
          target: 'es2022',
        },
        module: { type: 'commonjs' },
        sourceMaps: 'inline',
      },
    ],
    // fast-png (label PNG decoding) and its iobuffer dependency ship only as ES modules.
    '^.+/node_modules/(fast-png|iobuffer)/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!(fast-png|iobuffer)/)'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper,
  testMatch: ['**/?(*.)spec.ts'],
  setupFiles: [path.join(__dirname, 'tools/jest-quiet-tfjs.cjs')],
  reporters: ['default', path.join(__dirname, 'tools/jest-summary-reporter.cjs')],
};
