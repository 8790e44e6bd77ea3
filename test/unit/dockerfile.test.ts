/**
 * deploy/Dockerfile, which cannot be built here (no Docker engine): linted by dockerfile-utils'
 * validate() (rcjsuen's Dockerfile linter, VS Code's), and parsed for what issue 15 demands
 * (test/support/dockerfileChecks.ts): exact Node 20 bases, production dependencies only, iproute2, a
 * HEALTHCHECK through gRPC health, OCI labels. Broken variants show that both checks bite.
 */
import fs from 'node:fs';
import path from 'node:path';
import { validate } from 'dockerfile-utils';
import { dockerfileProblems } from '../support/dockerfileChecks';

const dockerfile = fs.readFileSync(path.join(__dirname, '../../deploy/Dockerfile'), 'utf8');

/** The linter's findings as `line: message` (1-based lines). */
function lint(content: string): string[] {
  return validate(content).map((d) => `${d.range.start.line + 1}: ${d.message}`);
}

describe('deploy/Dockerfile', () => {
  it('passes the linter without an error or a warning', () => {
    expect(lint(dockerfile)).toEqual([]);
  });

  it('meets what the issue demands of the image', () => {
    expect(dockerfileProblems(dockerfile)).toEqual([]);
  });

  it('serves its HEALTHCHECK with the CLI its image installs, the mvnet health verb', () => {
    expect(dockerfile).toMatch(/>\/usr\/local\/bin\/mvnet\b/);
    expect(dockerfile).toMatch(/CMD \["mvnet", "--host", "127\.0\.0\.1:7444", "health"\]/);
  });
});

describe('the checks, on broken variants', () => {
  it('lint flags a misspelt instruction and a malformed HEALTHCHECK option', () => {
    const broken = dockerfile
      .replace('RUN apt-get update', 'RUNN apt-get update')
      .replace('--interval=30s', '--interval=often');
    const found = lint(broken);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/Unknown instruction: RUNN/),
        expect.stringMatching(/invalid duration often/),
      ]),
    );
  });

  it('names a floating base, devDependencies installed, no iproute2, no HEALTHCHECK and a missing label', () => {
    const broken = dockerfile
      .replace('FROM node:20.20.2-bookworm-slim', 'FROM node:20-bookworm-slim')
      .replace('npm ci --omit=dev --ignore-scripts', 'npm ci --ignore-scripts')
      .replace('--no-install-recommends iproute2', '--no-install-recommends curl')
      .replace(/^HEALTHCHECK[^\n]*\\\n[^\n]*\n/m, '')
      .replace(/^\s*org\.opencontainers\.image\.revision=[^\n]*\n/m, '');
    expect(dockerfileProblems(broken)).toEqual([
      'FROM node:20-bookworm-slim: not an exact Node 20 release (node:20.x.y-bookworm[-slim])',
      'npm ci --ignore-scripts: installs devDependencies too',
      'iproute2 is not installed (apt-get install --no-install-recommends iproute2)',
      '0 HEALTHCHECK instructions in the final stage, not 1',
      'no org.opencontainers.image.revision label',
    ]);
  });

  it('names a latest tag, a final stage that is not slim, and a check of another address', () => {
    const broken = dockerfile
      .replace('FROM node:20.20.2-bookworm AS deps', 'FROM node:latest AS deps')
      .replace('FROM node:20.20.2-bookworm-slim', 'FROM node:20.20.2-bookworm')
      .replace('"--host", "127.0.0.1:7444"', '"--host", "127.0.0.1:7443"');
    expect(dockerfileProblems(broken)).toEqual([
      'FROM node:latest: not an exact Node 20 release (node:20.x.y-bookworm[-slim])',
      'the final stage is not on a slim base',
      "HEALTHCHECK does not ask the ENTRYPOINT's --health-listen address (127.0.0.1:7444)",
    ]);
  });
});
