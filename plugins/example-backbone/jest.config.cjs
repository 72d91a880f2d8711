module.exports = {
  ...require('../../jest.preset.cjs'),
  displayName: 'plugin-example-backbone',
  rootDir: __dirname,
};
