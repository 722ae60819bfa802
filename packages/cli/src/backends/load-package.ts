import { CliError } from '../errors.js';
import { BACKEND_PACKAGES } from './registry.js';

type BackendName = keyof typeof BACKEND_PACKAGES;

/**
 * Whether an npm package can be found from this package (resolved, not loaded).
 *
 * isInstalled('@rs/tfjs'); // false where only @rs/cli and its dependencies are installed
 */
export function isInstalled(pkg: string): boolean {
  try {
    import.meta.resolve(pkg);
    return true;
  } catch {
    return false;
  }
}

/**
 * The packages of a backend that cannot be found, in the order they are needed.
 *
 * missingPackages('webgpu'); // ['webgpu'] when @rs/webgpu-native is installed without its peer
 */
export function missingPackages(backend: BackendName): string[] {
  return BACKEND_PACKAGES[backend].packages.filter((p) => !isInstalled(p));
}

/**
 * Imports a backend's package when the backend is asked for (never before): `load` is the
 * `import()` of the package. A package that is not installed (or a peer it needs) becomes a
 * {@link CliError} that names it and gives the install line; another failure keeps its message.
 */
export async function loadBackendPackage<T>(backend: BackendName, load: () => Promise<T>): Promise<T> {
  const { packages, install } = BACKEND_PACKAGES[backend];
  const missing = missingPackages(backend);
  if (missing.length > 0) throw notInstalled(backend, missing, install);
  try {
    return await load();
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const name = /Cannot find (?:package|module) '((?:@[^/']+\/)?[^/']+)/.exec(e?.message ?? '')?.[1];
    if ((e?.code === 'ERR_MODULE_NOT_FOUND' || e?.code === 'MODULE_NOT_FOUND') && name) throw notInstalled(backend, [name], install);
    throw new CliError(`backend '${backend}': cannot load ${packages[0]}: ${(e?.message ?? String(err)).split('\n')[0]}`, {
      code: 'RS_BACKEND_UNAVAILABLE',
      exitCode: 1,
    });
  }
}

function notInstalled(backend: BackendName, missing: string[], install: string): CliError {
  const what = missing.map((p) => `'${p}'`).join(' and ');
  return new CliError(`backend '${backend}' needs ${what}, which ${missing.length > 1 ? 'are' : 'is'} not installed; install it with: ${install}`, {
    code: 'RS_BACKEND_UNAVAILABLE',
  });
}
