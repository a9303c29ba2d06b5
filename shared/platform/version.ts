import pkg from '../../package.json' with { type: 'json' }

// version is the package version every process reports in /_/health
export const version: string = pkg.version
