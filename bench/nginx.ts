import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { type Running, spawnHealthy } from './deploy.ts'

// nginxPath is where Debian's nginx is installed, or null when it is not
export const nginxPath = (): string | null =>
  Bun.which('nginx') ?? Bun.which('nginx', { PATH: '/usr/sbin:/usr/local/sbin:/sbin' })

// nginxConfig is a reverse proxy with one worker and a keep-alive pool of 64 connections to one
// upstream, adding headers to every request (what the gateway does with the service token)
export function nginxConfig(o: {
  dir: string
  port: number
  upstream: string
  // the upstream's unix socket, used instead of its TCP address when given (nginx's workers then
  // run as this user, so they may enter the private directory the socket is in)
  socket?: string
  headers: Record<string, string>
}): string {
  const upstream = o.socket
    ? `unix:${o.socket}`
    : o.upstream.replace(/^https?:\/\//, '').replace(/\/$/, '')
  const set = Object.entries(o.headers)
    .map(([k, v]) => `      proxy_set_header ${k} "${v.replace(/["\\]/g, '')}";`)
    .join('\n')
  const user = o.socket && process.getuid?.() === 0 ? 'user root;\n' : ''
  return `${user}worker_processes 1;
daemon off;
pid ${join(o.dir, 'nginx.pid')};
error_log ${join(o.dir, 'error.log')} warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${join(o.dir, 'body')};
  proxy_temp_path ${join(o.dir, 'proxy')};
  fastcgi_temp_path ${join(o.dir, 'fastcgi')};
  uwsgi_temp_path ${join(o.dir, 'uwsgi')};
  scgi_temp_path ${join(o.dir, 'scgi')};
  upstream backend {
    server ${upstream};
    keepalive 64;
  }
  server {
    listen 127.0.0.1:${o.port};
    location / {
      proxy_pass http://backend;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
${set}
    }
  }
}
`
}

// startNginx runs nginx (Debian's package) in front of one upstream on a free port; null when
// nginx is not installed
export async function startNginx(o: {
  dir: string
  port: number
  upstream: string
  socket?: string
  headers: Record<string, string>
}): Promise<Running | null> {
  const nginx = nginxPath()
  if (!nginx) return null
  mkdirSync(o.dir, { recursive: true })
  const conf = join(o.dir, 'nginx.conf')
  writeFileSync(conf, nginxConfig(o))
  return spawnHealthy('nginx', [nginx, '-e', join(o.dir, 'error.log'), '-p', o.dir, '-c', conf], {
    env: {},
    url: `http://127.0.0.1:${o.port}`,
  })
}
