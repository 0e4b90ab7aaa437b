// The browser entry (package.json `browser`, dist/web/extension.js): the same extension in a Web
// Worker on vscode.dev, github.dev or any browser workbench. esbuild bundles it for the browser with
// the Node modules the core imports replaced by the seams in src/web/shims (esbuild.js `webShims`).
import type * as vscode from 'vscode';
import { activate as activateEverywhere, type CertLensApi } from '../extension/extension';
import { platform } from '../extension/platform';

export type { CertLensApi };

export function activate(context: vscode.ExtensionContext): CertLensApi {
  platform.web = true;
  return activateEverywhere(context);
}

export function deactivate(): void {}
