#!/usr/bin/env bun
export {}

// twinstack: one program, every role. `bun twinstack.ts <role>` or, compiled, `twinstack <role>`:
//   monolith [--reset] [--no-restart]  every module in one process on :3000, restarted on a crash
//   monolith-process [--reset]         the same process without the keeper
//   micro [--reset] [--no-restart]     the supervisor, every service and the gateway on :4000
//     [--layout monolith|micro|by-domain|"<custom>"]  how modules are grouped into processes
//                                      (also TWINSTACK_LAYOUT; default micro; shared/wiring/plan.ts)
//   service <name> [--replica n]       one group of the layout (the supervisor runs these)
//   chaos <action> <target> [args]     break things on the running deployment (chaos --help)
// Security flags of monolith, monolith-process and micro (README "Security"):
//   --demo        the documented demo logins work (npm run monolith|micro pass it), loudly
//   --production  refuse demo credentials and short secrets (also NODE_ENV=production)
//   --open-ops    /_/status, /_/dashboard, /_/metrics, /_/traces without an admin token
// Memory limit of monolith (the keeper watches the process) and micro (the supervisor watches
// each service): --max-rss <MiB> or TWINSTACK_MAX_RSS_MB; a process over it is SIGKILLed and
// restarted (unless --no-restart). No limit unless given.
const [role, ...args] = process.argv.slice(2)

switch (role) {
  case 'monolith': {
    const { runKeeper } = await import('./monolith/keeper.ts')
    await runKeeper(args)
    break
  }
  case 'monolith-process': {
    const { runMonolith } = await import('./monolith/main.ts')
    await runMonolith(args)
    break
  }
  case 'micro': {
    const { runMicro } = await import('./micro/main.ts')
    await runMicro(args)
    break
  }
  case 'service': {
    const [name] = args
    const replica = Number(args[args.indexOf('--replica') + 1] ?? 0)
    if (!name) throw new Error('usage: twinstack service <name> [--replica n]')
    const { runService } = await import('./micro/service.ts')
    await runService(name, args.includes('--replica') ? replica : 0)
    break
  }
  case 'chaos': {
    const { runChaos } = await import('./scripts/chaos.ts')
    process.exit(await runChaos(args))
    break
  }
  default:
    console.log(
      'usage: twinstack monolith|micro [--demo] [--production] [--open-ops] [--reset] [--no-restart]\n' +
        '                               [--max-rss <MiB>]\n' +
        '       twinstack micro --layout monolith|micro|by-domain|"a+b,node:c+d"\n' +
        '       twinstack service <name> | chaos <action> [options]',
    )
    process.exit(role ? 1 : 0)
}
