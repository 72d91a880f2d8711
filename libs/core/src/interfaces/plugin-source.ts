/**
 * A plugin package as it was loaded: its name and the folder it was resolved from. Loader threads build their own
 * registries, so they import the same package from the same folder and let it register again.
 */
export interface PluginSource {
  readonly name: string;
  readonly fromDir: string;
}
