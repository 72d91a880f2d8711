module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'plugin-example-extensions',
  rootDir: __dirname,
};
