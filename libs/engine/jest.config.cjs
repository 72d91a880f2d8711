module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'engine',
  rootDir: __dirname,
};
