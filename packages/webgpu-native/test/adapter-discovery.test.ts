import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { SWIFTSHADER_ICD, vulkanIcdDirs } from '../src/index.js';

// Each case runs in a fresh Node process (Dawn and the Vulkan loader read the environment there),
// on the built package (the test target builds first), with the loader's search path pointed at
// folders of this test: a machine whose installed Vulkan drivers give no adapter is a folder whose
// driver manifest names a library that does not load (the loader skips it, Dawn finds no adapter),
// as Mesa's drivers on a CPU server do (Dawn rejects lavapipe, no Intel/AMD device exists).
const DIST = fileURLToPath(new URL('../dist/index.js', import.meta.url));
const hasSwiftShader = existsSync(SWIFTSHADER_ICD);
const root = mkdtempSync(join(tmpdir(), 'vk-icd-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function loaderHome(name: string, drivers: string[]): Record<string, string> {
  const home = join(root, name);
  const icd = join(home, 'share/vulkan/icd.d');
  mkdirSync(icd, { recursive: true });
  for (const d of drivers) {
    writeFileSync(
      join(icd, `${d}.json`),
      JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: join(home, `lib${d}.so`), api_version: '1.3.0' } }),
    );
  }
  return {
    HOME: home,
    XDG_CONFIG_HOME: join(home, 'config'),
    XDG_CONFIG_DIRS: join(home, 'xdg'),
    XDG_DATA_HOME: join(home, 'data'),
    XDG_DATA_DIRS: join(home, 'share'),
  };
}

/** Runs `body` (an async function of the package's exports, returning JSON) in a child process. */
function inChild(env: Record<string, string>, body: string): { result: Record<string, unknown>; stderr: string } {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(VK_|XDG_)/.test(k)));
  const script = `const m = await import(${JSON.stringify(DIST)}); const out = await (${body})(m).catch((e) => ({ error: e.name, message: e.message })); process.stdout.write(JSON.stringify(out)); process.exit(0);`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { env: { ...base, ...env }, encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return { result: JSON.parse(r.stdout) as Record<string, unknown>, stderr: r.stderr.replace(/^.*XDG_RUNTIME_DIR.*\n?/gm, '') };
}

const openReport = `async (m) => { const dev = await m.openGpuDevice(await m.nodeGpu()); const a = dev.adapter; dev.destroy(); return { name: a.name, driver: a.driver, notice: a.notice ?? null, vk: process.env.VK_ICD_FILENAMES ?? null }; }`;

describe('Vulkan driver discovery', () => {
  it("searches the loader's folders in its order, honouring the XDG variables", () => {
    expect(vulkanIcdDirs({ HOME: '/h' })).toEqual([
      '/h/.config/vulkan/icd.d',
      '/etc/xdg/vulkan/icd.d',
      '/etc/vulkan/icd.d',
      '/h/.local/share/vulkan/icd.d',
      '/usr/local/share/vulkan/icd.d',
      '/usr/share/vulkan/icd.d',
    ]);
    expect(vulkanIcdDirs({ HOME: '/h', XDG_DATA_DIRS: '/a:/b', XDG_CONFIG_HOME: '/c' })).toEqual([
      '/c/vulkan/icd.d',
      '/etc/xdg/vulkan/icd.d',
      '/etc/vulkan/icd.d',
      '/h/.local/share/vulkan/icd.d',
      '/a/vulkan/icd.d',
      '/b/vulkan/icd.d',
    ]);
  });

  it.skipIf(!hasSwiftShader)(
    `installed drivers that give no adapter: falls back to SwiftShader, says so in one line and in the adapter report${hasSwiftShader ? '' : ` (skipped: SwiftShader ${SWIFTSHADER_ICD} absent; apt-get install libvulkan1 chromium-common)`}`,
    () => {
      const { result, stderr } = inChild(loaderHome('broken', ['intel_icd.x86_64', 'radeon_icd.x86_64']), openReport);
      expect(result.name).toBe('google/swiftshader');
      expect(result.driver).toBe(`SwiftShader (${SWIFTSHADER_ICD})`);
      expect(result.vk).toBe(SWIFTSHADER_ICD);
      const line = `@rs/webgpu-native: no WebGPU adapter from the installed Vulkan drivers (intel_icd.x86_64.json, radeon_icd.x86_64.json); using SwiftShader, a CPU Vulkan driver (${SWIFTSHADER_ICD}). Set VK_ICD_FILENAMES to choose a driver.`;
      expect(result.notice).toBe(line);
      expect(stderr.split('\n').filter((l) => l.startsWith('@rs/webgpu-native'))).toEqual([line]);
    },
  );

  it.skipIf(!hasSwiftShader)(`no driver installed: SwiftShader without a notice${hasSwiftShader ? '' : ' (skipped: SwiftShader absent)'}`, () => {
    const { result, stderr } = inChild(loaderHome('none', []), openReport);
    expect(result).toEqual({ name: 'google/swiftshader', driver: `SwiftShader (${SWIFTSHADER_ICD})`, notice: null, vk: SWIFTSHADER_ICD });
    expect(stderr).not.toMatch(/@rs\/webgpu-native/);
  });

  it('installed drivers that give no adapter and no SwiftShader: NoAdapterError naming VK_ICD_FILENAMES and the install line', () => {
    const body = `async (m) => { await m.createNodeGpu({ swiftShaderIcd: '/nonexistent/vk_swiftshader_icd.json' }); return {}; }`;
    const { result } = inChild(loaderHome('broken-alone', ['intel_icd.x86_64']), body);
    expect(result.error).toBe('NoAdapterError');
    expect(result.message).toMatch(/no WebGPU adapter from the installed Vulkan drivers \(.*intel_icd\.x86_64\.json/);
    expect(result.message).toMatch(/VK_ICD_FILENAMES=\/usr\/lib\/chromium\/vk_swiftshader_icd\.json/);
    expect(result.message).toMatch(/apt-get install libvulkan1 chromium-common/);
  });

  it('a VK_ICD_FILENAMES you set is used as is; when it gives no adapter the error names it', () => {
    const env = loaderHome('user', []);
    const fake = join(root, 'user/fake_icd.json');
    writeFileSync(fake, JSON.stringify({ file_format_version: '1.0.0', ICD: { library_path: '/nonexistent/libfake.so', api_version: '1.3.0' } }));
    const { result } = inChild({ ...env, VK_ICD_FILENAMES: fake }, openReport);
    expect(result.error).toBe('NoAdapterError');
    expect(result.message).toContain(`no WebGPU adapter available from VK_ICD_FILENAMES=${fake} (set in the environment); set VK_ICD_FILENAMES to`);
  });
});
