import { readFileSync } from 'node:fs'
import { arch, availableParallelism, cpus, loadavg, platform, release, totalmem } from 'node:os'
import { join } from 'node:path'

const ROOT = join(import.meta.dir, '..')

const run = (cmd: string[]): string => {
  try {
    const r = Bun.spawnSync(cmd, { cwd: ROOT, stdout: 'pipe', stderr: 'ignore' })
    return r.exitCode === 0 ? r.stdout.toString().trim() : ''
  } catch {
    return ''
  }
}

const pkgVersion = (name: string) => {
  try {
    return JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'))
      .version as string
  } catch {
    return 'n/a'
  }
}

// machineInfo describes the machine the figures come from
export function machineInfo() {
  const osRelease = (() => {
    try {
      return /PRETTY_NAME="([^"]+)"/.exec(readFileSync('/etc/os-release', 'utf8'))?.[1] ?? ''
    } catch {
      return ''
    }
  })()
  return {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    memoryBytes: totalmem(),
    platform: `${platform()} ${arch()}`,
    kernel: release(),
    os: osRelease,
    loadAverageAtStart: loadavg(),
  }
}

// versions lists the runtime and the libraries whose speed the figures depend on
export function versions(): Record<string, string> {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'))
  // wrk prints its version on stdout and exits 1 for --version
  const wrk = Bun.which('wrk')
    ? (Bun.spawnSync(['wrk', '--version'], { stdout: 'pipe' }).stdout.toString().split('\n')[0] ??
      '')
    : ''
  return {
    twinstack: pkg.version,
    bun: Bun.version,
    node: run(['node', '--version']) || 'n/a',
    hono: pkgVersion('hono'),
    autocannon: pkgVersion('autocannon'),
    'chart.js': pkgVersion('chart.js'),
    cockatiel: pkgVersion('cockatiel'),
    'drizzle-orm': pkgVersion('drizzle-orm'),
    wrk: wrk || 'not installed',
  }
}

// commitInfo names the commit measured and whether the tree had changes
export function commitInfo() {
  return {
    sha: run(['git', 'rev-parse', 'HEAD']) || 'unknown',
    dirty:
      run(['git', 'status', '--porcelain', '--', 'shared', 'monolith', 'micro', 'twinstack.ts']) !==
      '',
    subject: run(['git', 'log', '-1', '--format=%s']),
  }
}
