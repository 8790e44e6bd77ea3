/**
 * What issue 15 asks of the agent's container image, checked on its Dockerfile without building it
 * (no Docker engine here): parsed with dockerfile-ast, the parser of rcjsuen's Dockerfile language
 * server (used by VS Code). Each check returns the problems it found, as sentences; none means met.
 */
import { DockerfileParser, type Dockerfile, type Instruction, type Label } from 'dockerfile-ast';

/** The OCI image spec's annotations the image must carry (opencontainers/image-spec, annotations.md). */
export const REQUIRED_OCI_LABELS = [
  'org.opencontainers.image.title',
  'org.opencontainers.image.description',
  'org.opencontainers.image.version',
  'org.opencontainers.image.revision',
  'org.opencontainers.image.created',
  'org.opencontainers.image.licenses',
  'org.opencontainers.image.base.name',
];

/** `node:20.x.y-bookworm` or `-bookworm-slim`: an exact Node 20 release on an exact Debian release. */
const PINNED_NODE_20 = /^20\.\d+\.\d+-bookworm(-slim)?$/;

function keyword(instruction: Instruction): string {
  return instruction.getKeyword().toUpperCase();
}

/** True for an instruction of the final stage, the image itself. */
function finalStage(dockerfile: Dockerfile): (i: Instruction) => boolean {
  const stages = dockerfile.getFROMs();
  const firstLine = stages[stages.length - 1]?.getRange().start.line ?? 0;
  return (i) => i.getRange().start.line >= firstLine;
}

/** Every FROM names an exact Node 20 release (a digest, when given, must be sha256), the last one slim. */
function checkBases(dockerfile: Dockerfile): string[] {
  const problems: string[] = [];
  const froms = dockerfile.getFROMs();
  for (const from of froms) {
    const stage = from.getBuildStage();
    if (stage !== null && froms.some((f) => f !== from && f.getImageName() === stage)) continue;
    const digest = from.getImageDigest();
    if (from.getImageName() !== 'node' || !PINNED_NODE_20.test(from.getImageTag() ?? ''))
      problems.push(`FROM ${from.getImage()}: not an exact Node 20 release (node:20.x.y-bookworm[-slim])`);
    if (digest !== null && !/^sha256:[0-9a-f]{64}$/.test(digest))
      problems.push(`FROM ${from.getImage()}: a digest that is not sha256`);
  }
  const last = froms[froms.length - 1];
  if (!last?.getImageTag()?.endsWith('-slim')) problems.push('the final stage is not on a slim base');
  return problems;
}

/** The RUN lines' text, continuation lines joined. */
function runCommands(dockerfile: Dockerfile): string[] {
  return dockerfile
    .getInstructions()
    .filter((i) => keyword(i) === 'RUN')
    .map((i) => i.getArgumentsContent() ?? '');
}

/** npm installs production dependencies only, and nothing else installs any. */
function checkDependencies(dockerfile: Dockerfile): string[] {
  const problems: string[] = [];
  const installs = runCommands(dockerfile).flatMap((run) =>
    run.split(/&&|;|\|\|/).filter((c) => /\bnpm\s+(ci|install|i)\b/.test(c)),
  );
  if (installs.length === 0) problems.push('no npm ci installs the dependencies');
  for (const install of installs) {
    if (!/--omit=dev\b/.test(install)) problems.push(`${install.trim()}: installs devDependencies too`);
  }
  if (
    !runCommands(dockerfile).some((r) =>
      /apt-get install[^&]*--no-install-recommends[^&]*\biproute2\b/.test(r),
    )
  )
    problems.push('iproute2 is not installed (apt-get install --no-install-recommends iproute2)');
  return problems;
}

/**
 * The final stage has one HEALTHCHECK, an exec-form CMD running `mvnet ... health` against the address
 * the ENTRYPOINT gives --health-listen.
 */
function checkHealthcheck(dockerfile: Dockerfile): string[] {
  const inFinal = finalStage(dockerfile);
  const checks = dockerfile.getHEALTHCHECKs().filter(inFinal);
  if (checks.length !== 1) return [`${checks.length} HEALTHCHECK instructions in the final stage, not 1`];
  const args = checks[0].getArguments().map((a) => a.getValue());
  const cmd = args.indexOf('CMD');
  if (cmd < 0) return ['HEALTHCHECK has no CMD'];
  const command = JSON.parse(args.slice(cmd + 1).join(' ')) as string[];
  if (command[0] !== 'mvnet' || command[command.length - 1] !== 'health')
    return [`HEALTHCHECK CMD ${JSON.stringify(command)} is not \`mvnet ... health\``];
  const entrypoint = dockerfile.getENTRYPOINTs().filter(inFinal).pop();
  const argv = JSON.parse(entrypoint?.getArgumentsContent() ?? '[]') as string[];
  const healthListen = argv[argv.indexOf('--health-listen') + 1];
  if (!argv.includes('--health-listen') || command[command.indexOf('--host') + 1] !== healthListen)
    return [`HEALTHCHECK does not ask the ENTRYPOINT's --health-listen address (${healthListen ?? 'none'})`];
  return [];
}

/** The final stage's labels include every REQUIRED_OCI_LABELS annotation, with a value. */
function checkLabels(dockerfile: Dockerfile): string[] {
  const labels = new Map<string, string>();
  for (const instruction of dockerfile.getInstructions().filter(finalStage(dockerfile))) {
    if (keyword(instruction) !== 'LABEL') continue;
    for (const property of (instruction as Label).getProperties())
      labels.set(property.getName(), property.getValue() ?? '');
  }
  return REQUIRED_OCI_LABELS.filter((name) => !labels.get(name)).map((name) => `no ${name} label`);
}

/** Every problem the image's Dockerfile has against the demands; [] when it meets them all. */
export function dockerfileProblems(content: string): string[] {
  const dockerfile = DockerfileParser.parse(content);
  return [
    ...checkBases(dockerfile),
    ...checkDependencies(dockerfile),
    ...checkHealthcheck(dockerfile),
    ...checkLabels(dockerfile),
  ];
}
