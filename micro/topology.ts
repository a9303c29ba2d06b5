// The microservices deployment's default plan: the `micro` layout of shared/wiring/plan.ts
// (one process per module, orders and checkout together, two storefront replicas, users and
// orders sharing users-orders.db). Everything else is derived from the module manifests.
import { type Plan, planFor } from '../shared/wiring/plan.ts'

export {
  replicaSockets,
  replicaUrls,
  type ServiceSpec,
  serviceNamed,
} from '../shared/wiring/plan.ts'

// Topology is the plan a micro deployment runs (its process groups are its services)
export type Topology = Plan

// topology is the default deployment (ports from 4100, ten apart to leave room for replicas)
export const topology: Topology = planFor('micro')
