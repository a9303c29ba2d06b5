// Assets imported `with { type: 'file' }`: Bun hands back a path, embedded by `bun build --compile`
declare module 'swagger-ui-dist/swagger-ui-bundle.js' {
  const path: string
  export default path
}
declare module 'swagger-ui-dist/swagger-ui.css' {
  const path: string
  export default path
}
declare module '*/dashboard/style.css' {
  const path: string
  export default path
}
