// Integration suite entry, loaded by the extension host (@vscode/test-electron or the offline
// code-server host). Runs every *.test.js beside it with mocha (bdd).
//
// Files named *.restricted.test.js run only when the workspace is untrusted (Restricted Mode),
// *.multiroot.test.js only in a .code-workspace of several folders, all others only in a trusted
// folder. Environment (set by scripts/run-integration.mjs):
//   CERTLENS_TEST_GREP    regex; only test files whose path (relative to this folder) matches
//   CERTLENS_TEST_REPORT  file to write { passes, failures, pending, output, ... } to as JSON, so the
//                         driving process can show the spec report (code-server keeps the extension
//                         host's console to itself)
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as util from 'node:util';
import Mocha from 'mocha';
import * as vscode from 'vscode';

export interface IntegrationReport {
  passes: number;
  failures: number;
  pending: number;
  files: string[];
  vscodeVersion: string;
  trusted: boolean;
  /** The spec reporter's text. */
  output: string;
  /** Set when the suite could not run at all. */
  error?: string;
  /** Written while tests are still running. */
  partial?: boolean;
}

function findTests(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...findTests(p));
    // Benchmarks (*.bench.js) run only when scripts asked for them (CERTLENS_BENCH_OUT), tests otherwise.
    else if (entry.name.endsWith(process.env.CERTLENS_BENCH_OUT ? '.bench.js' : '.test.js')) out.push(p);
  }
  return out.sort();
}

function writeReport(report: IntegrationReport): void {
  const file = process.env.CERTLENS_TEST_REPORT;
  if (file) fs.writeFileSync(file, JSON.stringify(report, null, 2));
}

export async function run(): Promise<void> {
  const trusted = vscode.workspace.isTrusted;
  const multiRoot = vscode.workspace.workspaceFile !== undefined && (vscode.workspace.workspaceFolders?.length ?? 0) > 1;
  const grep = process.env.CERTLENS_TEST_GREP ? new RegExp(process.env.CERTLENS_TEST_GREP) : undefined;
  const lines: string[] = [];
  const report: IntegrationReport = { passes: 0, failures: 0, pending: 0, files: [], vscodeVersion: vscode.version, trusted, output: '' };

  // Capture what the spec reporter prints (it goes through Base.consoleLog) and still print it.
  const base = Mocha.reporters.Base as unknown as { consoleLog: (...args: unknown[]) => void };
  const originalLog = base.consoleLog;
  const log = (...args: unknown[]) => {
    lines.push(util.format(...args));
    originalLog(...args);
  };
  base.consoleLog = log;

  try {
    log(
      `CertLens integration tests: VS Code ${vscode.version}, Node ${process.version}, workspace ${trusted ? 'trusted' : 'restricted'}, folder ${vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '(none)'}`,
    );
    const files = findTests(__dirname).filter((f) => {
      const rel = path.relative(__dirname, f);
      // A .code-workspace of several folders runs the multi-root tests only; a folder runs the others.
      if (multiRoot) return f.endsWith('.multiroot.test.js') && (!grep || grep.test(rel));
      return !f.endsWith('.multiroot.test.js') && f.endsWith('.restricted.test.js') === !trusted && (!grep || grep.test(rel));
    });
    report.files = files.map((f) => path.relative(__dirname, f));
    if (files.length === 0)
      throw new Error(
        `no integration test files for a ${multiRoot ? 'multi-root' : trusted ? 'trusted' : 'restricted'} workspace${grep ? ` matching /${grep.source}/` : ''}`,
      );

    const mocha = new Mocha({ ui: 'bdd', timeout: 60000, color: false, reporter: 'spec' });
    for (const f of files) mocha.addFile(f);
    const failures = await new Promise<number>((resolve, reject) => {
      try {
        const runner = mocha.run((n) => resolve(n));
        const record = () => {
          report.passes = runner.stats?.passes ?? 0;
          report.pending = runner.stats?.pending ?? 0;
          report.failures = runner.stats?.failures ?? 0;
        };
        // A partial report after each test: if the host hangs, the runner still knows what ran.
        runner.on('test end', () => {
          record();
          writeReport({ ...report, output: lines.join('\n'), partial: true });
        });
        runner.on('end', record);
      } catch (e) {
        reject(e);
      }
    });
    report.failures = failures;
    if (failures > 0) throw new Error(`${failures} tests failed`);
  } catch (e) {
    if (report.failures === 0) {
      report.failures = 1; // the suite could not run: count it as a failure
      report.error = e instanceof Error ? (e.stack ?? e.message) : String(e);
      log(`\nIntegration suite error: ${report.error}`);
    }
    throw e;
  } finally {
    base.consoleLog = originalLog;
    report.output = lines.join('\n');
    writeReport(report);
  }
}
