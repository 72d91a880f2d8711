module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'zls',
  rootDir: __dirname,
};
