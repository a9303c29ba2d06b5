// autocannon ships no types: the bench uses its programmatic API loosely typed
declare module 'autocannon' {
  const autocannon: (
    opts: Record<string, unknown>,
    done?: (err: Error | null, result: any) => void,
  ) => any
  export default autocannon
}
