// Contract names a module's interface for wiring: the module that implements it, and (a type
// only) the interface a neighbour receives. A module asks for its neighbours by these tokens,
// never by a string it would have to cast
export interface Contract<T> {
  readonly module: string
  // never set: carries T so `needs: { catalog: catalogContract }` types the neighbour
  readonly __type?: T
}

// contract makes the token of the interface T, implemented by the module of that name
export const contract = <T>(module: string): Contract<T> => ({ module })
