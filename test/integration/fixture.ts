// Reads the fixture manifest written by scripts/make-workspace.mjs (outside the workspace; its
// path comes in CERTLENS_TEST_MANIFEST). It is the oracle: counts come from the generator, not
// from the code under test.
import * as fs from 'node:fs';

export interface FixtureManifest {
  generatedAt: string;
  workspace: string;
  certificateCount: number;
  files: Array<{
    path: string;
    format: string;
    certificates: Array<{ cn: string; notAfter: string; daysLeft: number; keyType: string; role: string }>;
  }>;
  otherFiles: string[];
}

export function loadManifest(): FixtureManifest {
  const file = process.env.CERTLENS_TEST_MANIFEST;
  if (!file) throw new Error('CERTLENS_TEST_MANIFEST is not set: run the suite through scripts/run-integration.mjs');
  return JSON.parse(fs.readFileSync(file, 'utf8')) as FixtureManifest;
}

/** What the extension's activate() returns, as far as these tests rely on it. */
export interface CertLensApiShape {
  whenScanned(): Promise<number>;
}

export const EXTENSION_ID = 'certlens.certlens';
