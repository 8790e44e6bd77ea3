/** The scenarios of the multi-host lab, in the order the lab test runs them. */
import { applyVlanRollback } from './applyVlanRollback';
import { bondVlan } from './bondVlan';
import { cniVlan } from './cniVlan';
import { crashSteps } from './crashSteps';
import { drift } from './drift';
import { fleetVlan30 } from './fleetVlan30';
import { hostReboot } from './hostReboot';
import type { Scenario } from './Scenario';
import { seedFlat } from './seedFlat';
import { seedVlans } from './seedVlans';

export type { Scenario, ScenarioContext } from './Scenario';

export const SCENARIOS: readonly Scenario[] = [
  seedFlat,
  seedVlans,
  cniVlan,
  bondVlan,
  applyVlanRollback,
  fleetVlan30,
  drift,
  crashSteps,
  hostReboot,
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
