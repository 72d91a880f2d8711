#!/usr/bin/env node
// Runs the TypeScript sources directly (swc compiles on load with the workspace's decorator settings).
const path = require('node:path');
process.env.SWC_NODE_PROJECT ??= path.join(__dirname, '..', '..', '..', 'tsconfig.base.json');
require('@swc-node/register');
require('../src/main.ts');
