import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Registries } from '../registry/registries';
import { loadPlugins, PLUGIN_API_VERSION } from './plugin';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zls-plugins-'));
  const pkg = (name: string, body: string) => {
    const root = path.join(dir, 'node_modules', name);
    fs.mkdirSync(root, { recursive: true });
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name, main: 'index.js' }));
    fs.writeFileSync(path.join(root, 'index.js'), body);
  };
  pkg(
    'zls-plugin-good',
    `class O {}; class B {};
     module.exports = { default: { name: 'zls-plugin-good', apiVersion: ${PLUGIN_API_VERSION},
       register(r) { r.backbone.register('good', B, O, 'from a plugin', 'zls-plugin-good'); } } };`,
  );
  pkg('zls-plugin-old', `module.exports = { plugin: { name: 'old', apiVersion: 0, register() {} } };`);
  pkg('zls-plugin-empty', `module.exports = { hello: 1 };`);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('loadPlugins', () => {
  it('imports a plugin package and lets it register components', async () => {
    const registries = new Registries();
    const loaded = await loadPlugins(['zls-plugin-good'], registries, dir);
    expect(loaded.map((p) => p.name)).toEqual(['zls-plugin-good']);
    expect(registries.backbone.types()).toEqual(['good']);
    expect(registries.backbone.list()[0].origin).toBe('zls-plugin-good');
    // Loader threads rebuild the registries: they need the package and the folder it was resolved from.
    expect(registries.plugins).toEqual([{ name: 'zls-plugin-good', fromDir: dir }]);
  });

  it('loads a plugin into the same registries only once', async () => {
    const registries = new Registries();
    await loadPlugins(['zls-plugin-good'], registries, dir);
    await expect(loadPlugins(['zls-plugin-good'], registries, dir)).resolves.toEqual([]);
    expect(registries.backbone.types()).toEqual(['good']);
    expect(registries.plugins.map((p) => p.name)).toEqual(['zls-plugin-good']);
  });

  it('refuses a plugin written for another API version', async () => {
    await expect(loadPlugins(['zls-plugin-old'], new Registries(), dir)).rejects.toThrow(/targets plugin API 0; this zls provides 2/);
  });

  it('refuses a package that exports no plugin', async () => {
    await expect(loadPlugins(['zls-plugin-empty'], new Registries(), dir)).rejects.toThrow(/exports no \{ name, apiVersion, register \}/);
  });

  it('names a plugin that cannot be found', async () => {
    await expect(loadPlugins(['zls-plugin-missing'], new Registries(), dir)).rejects.toThrow(/plugin "zls-plugin-missing" not found/);
  });
});
