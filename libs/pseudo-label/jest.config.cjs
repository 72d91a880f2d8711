module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'pseudo-label',
  rootDir: __dirname,
};
