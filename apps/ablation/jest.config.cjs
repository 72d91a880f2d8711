module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'ablation',
  rootDir: __dirname,
};
