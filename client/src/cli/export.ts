import type { Command } from 'commander';
import { exportSpec } from '../spec/exportSpec';
import { MANAGED_BY_LABEL } from '../spec/applyScope';
import { renderSpec } from '../spec/renderSpec';
import type { CliContext } from './CliContext';

const HELP = `
Writes what \`mvnet apply -f\` reads: the host's networks and endpoints (with their netns, interface,
addresses and MAC, so that applying the file keeps every lease), enums by short name (bridge), no
status, no field left at its default. YAML unless --output json. Endpoints labelled
${MANAGED_BY_LABEL} with a value other than apply (a container runtime's) are outside Apply's scope:
they are left out, and stderr says how many.

  mvnet --host h1:7443 export > h1.yaml
  mvnet --host h1:7443 apply -f h1.yaml --dry-run     # No changes: the host matches the spec.`;

/** `mvnet export [--output json]`: the host's current state as a spec file, on stdout. */
export function registerExport(program: Command, ctx: CliContext): void {
  program
    .command('export')
    .description("Print the host's current state as a spec for mvnet apply (YAML, or JSON)")
    .addHelpText('after', HELP)
    .action(async () => {
      const client = ctx.client();
      const { spec, revision, outOfScope } = await exportSpec(client);
      const comment = ` mvnet export of ${client.host} at revision ${revision}`;
      ctx.io.stdout(renderSpec(spec, ctx.json ? 'json' : 'yaml', comment));
      if (outOfScope.length > 0) {
        const count = outOfScope.length === 1 ? '1 endpoint' : `${outOfScope.length} endpoints`;
        ctx.io.stderr(
          `Left out ${count} labelled ${MANAGED_BY_LABEL} other than apply (outside Apply's scope).\n`,
        );
      }
    });
}
