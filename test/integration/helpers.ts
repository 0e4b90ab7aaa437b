import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import * as tls from 'node:tls';
import * as vscode from 'vscode';
import { daysFromNow, makeCert, makeKey } from '../support/certs';
import type { CertLensApi } from '../../src/extension/api';
import { runInBackground } from '../../src/core/background';
import { EXTENSION_ID } from './fixture';

export async function api(): Promise<CertLensApi> {
  const ext = vscode.extensions.getExtension<CertLensApi>(EXTENSION_ID);
  if (!ext) throw new Error(`${EXTENSION_ID} is not loaded`);
  const a = await ext.activate();
  await a.settled();
  return a;
}

/**
 * Resolves when `check` returns a value (not undefined/false), re-checking whenever diagnostics
 * change and at a short interval; rejects with `what` after `timeoutMs`.
 */
export function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 30_000,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let done = false;
    const finish = (fn: () => void) => {
      if (done) return;
      done = true;
      clearInterval(interval);
      clearTimeout(timer);
      sub.dispose();
      fn();
    };
    const test = async () => {
      try {
        const v = await check();
        if (v !== undefined && v !== false) finish(() => resolve(v));
      } catch (e) {
        finish(() => reject(e));
      }
    };
    const sub = vscode.languages.onDidChangeDiagnostics(() => runInBackground(undefined, 'waitFor', test()));
    const interval = setInterval(() => runInBackground(undefined, 'waitFor', test()), 100);
    const timer = setTimeout(() => finish(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`))), timeoutMs);
    runInBackground(undefined, 'waitFor', test());
  });
}

export function certDiagnostics(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'CertLens');
}

export function workspaceUri(rel: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) throw new Error('no workspace folder');
  return vscode.Uri.joinPath(folder.uri, rel);
}

/** Writes a file into the first workspace folder (folders made as needed) and returns its URI. */
export function writeWorkspaceFile(rel: string, data: string | Uint8Array): vscode.Uri {
  const file = workspaceUri(rel).fsPath;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, data);
  return vscode.Uri.file(file);
}

/** 0-based line numbers of the `-----BEGIN CERTIFICATE-----` lines of a text. */
export function beginLines(text: string): number[] {
  return text.split(/\r?\n/).flatMap((l, i) => (l.includes('-----BEGIN CERTIFICATE-----') ? [i] : []));
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration('certlens').update(key, value, vscode.ConfigurationTarget.Workspace);
}

export interface Server {
  port: number;
  connections: number;
  close(): Promise<void>;
}

/** A TLS server on 127.0.0.1 serving a certificate for `name` that expires in `days` days. */
export async function startTlsServer(name: string, days: number): Promise<Server> {
  const key = makeKey({ type: 'ec' });
  const cert = makeCert({ cn: name, sans: [name], key, notBefore: daysFromNow(-30), notAfter: daysFromNow(days) });
  const state = { connections: 0 };
  const server = tls.createServer({ key: key.pem, cert: cert.pem });
  server.on('connection', () => state.connections++);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    get connections() {
      return state.connections;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
